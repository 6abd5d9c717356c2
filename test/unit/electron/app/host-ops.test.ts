import { describe, expect, it } from 'vitest';
import { HostOperations } from '../../../../electron/app/host-ops.ts';
import type { EventPayload } from '../../../../shared/api/contract.ts';

type P = EventPayload<'ops.progress'>;
const hosts = ['rs1', 'rs2', 'rs3'].map((name) => ({ name }));

describe('long operations over several hosts', () => {
  it('serial: reports each host; a cancel during one host lets it finish and starts no other', async () => {
    const events: P[] = [];
    const ops = new HostOperations((p) => events.push(p));
    const ran: string[] = [];
    const out = await ops.run('op-1', hosts, 'serial', async (h) => {
      ran.push(`start ${h.name}`);
      if (h.name === 'rs1') ops.cancel('op-1'); // the admin presses Cancel while rs1 is being fixed
      await new Promise((r) => setTimeout(r, 5));
      ran.push(`end ${h.name}`);
      return h.name.toUpperCase();
    });
    expect(ran).toEqual(['start rs1', 'end rs1']);
    expect(out.map((o) => (o.ok ? o.value : o.error.code))).toEqual(['RS1', 'CANCELLED', 'CANCELLED']);
    expect(events.map((e) => `${e.host}:${e.status}`)).toEqual(['rs1:waiting', 'rs2:waiting', 'rs3:waiting', 'rs1:running', 'rs1:ok', 'rs2:cancelled', 'rs3:cancelled']);
    expect(events.every((e) => e.opId === 'op-1' && e.total === 3)).toBe(true);
    // Finished: a late cancel of the same id is ignored, and the id can run again.
    ops.cancel('op-1');
    expect((await ops.run('op-1', hosts.slice(0, 1), 'serial', async () => 1))[0]!.ok).toBe(true);
  });

  it('parallel (reads): a failing host does not hide the others; a cancel stops waiting for the slow ones', async () => {
    const events: P[] = [];
    const ops = new HostOperations((p) => events.push(p));
    let release: () => void = () => {};
    const slow = new Promise<void>((r) => (release = r));
    const run = ops.run('op-2', hosts, 'parallel', async (h) => {
      if (h.name === 'rs2') throw new Error('boom');
      if (h.name === 'rs3') await slow;
      return h.name;
    });
    await new Promise((r) => setTimeout(r, 5));
    ops.cancel('op-2');
    const out = await run;
    release();
    expect(out.map((o) => (o.ok ? o.value : `${o.error.code}: ${o.error.message}`))).toEqual(['rs1', 'INTERNAL: rs2: boom', "CANCELLED: rs3: cancelled; its answer was not waited for"]);
    expect(events.filter((e) => e.host === 'rs3').map((e) => e.status)).toEqual(['waiting', 'running', 'cancelled']);
  });

  it('without an opId nothing is reported; two runs cannot share an id', async () => {
    const events: P[] = [];
    const ops = new HostOperations((p) => events.push(p));
    await ops.run(undefined, hosts, 'parallel', async () => 1);
    expect(events).toEqual([]);
    let go: () => void = () => {};
    const first = ops.run('same', hosts, 'serial', () => new Promise<void>((r) => (go = r)));
    await expect(ops.run('same', hosts, 'serial', async () => 1)).rejects.toThrow(/already running/);
    ops.cancel('same');
    go();
    await first;
  });
});

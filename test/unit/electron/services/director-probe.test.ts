import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portableProbeArgv } from '../../../../electron/services/director-probe.ts';
import { parseProbeOutput } from '../../../../electron/health/probe-script.ts';

let server: Server;
let open = 0;
beforeAll(async () => {
  server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  open = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('portable update probe (real sh, this machine as the director)', () => {
  it('reports ping and each TCP port per host in one run, readable by parseProbeOutput', () => {
    const closed = open === 1 ? 2 : open - 1;
    const argv = portableProbeArgv(['127.0.0.1'], [open, closed]);
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    const [res] = parseProbeOutput(r.stdout, ['127.0.0.1'], [open, closed]);
    expect(res!.tcp).toEqual({ [open]: true, [closed]: false });
    expect(res!.alive).toBe(res!.icmp);
  });
  it('takes only numbers and addresses as arguments', () => {
    expect(() => portableProbeArgv(['10.0.0.1;reboot'], [23])).toThrow('probe: not an address: 10.0.0.1;reboot');
    expect(() => portableProbeArgv(['10.0.0.1'], [70000])).toThrow('probe: bad port 70000');
  });
});

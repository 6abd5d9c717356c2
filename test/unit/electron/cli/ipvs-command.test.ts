import { describe, expect, it } from 'vitest';
import ipvs from '../../../../electron/cli/commands/ipvs.ts';
import type { CliIo } from '../../../../electron/cli/io.ts';
import { main } from '../../../../electron/cli/lvsctl.ts';
import { fixture } from '../lvs/ipvs/ipvs-fixtures.ts';

/** Runs `lvsctl ipvs ARGS < stdin` in-process and captures its streams. */
async function run(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), readStdin: async () => stdin };
  const code = await ipvs(args, io);
  return { code, out, err };
}

describe('lvsctl ipvs save', () => {
  it('turns the captured -L -n listing into exactly the -S -n that director printed', async () => {
    expect(await run(['save'], fixture('L-n.1.2.1.nat-rr.txt'))).toEqual({ code: 0, out: fixture('S-n.1.2.1.nat-rr.txt'), err: '' });
  });

  it('does the same from /proc/net/ip_vs and from -S -n itself', async () => {
    expect((await run(['save'], fixture('proc-ip_vs.1.2.1.nat-rr.txt'))).out).toBe(fixture('S-n.1.2.1.nat-rr.txt'));
    expect((await run(['save'], fixture('S-n.1.2.1.nat-rr.txt'))).out).toBe(fixture('S-n.1.2.1.nat-rr.txt'));
  });

  it('converts /proc persistence with --hz', async () => {
    const r = await run(['save', '--hz', '100'], fixture('constructed/proc-ip_vs.0.8.2.seed-director-linux24.txt'));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[4]).toBe('-A -u 192.168.1.110:177 -s wlc -p 360');
  });

  it('prints nothing for an empty table', async () => {
    expect(await run(['save'], fixture('lab/L-n.1.2.1.lab-empty.txt'))).toEqual({ code: 0, out: '', err: '' });
  });

  it('refuses listings that do not show the whole table, and a persistence engine it cannot write', async () => {
    const stats = await run(['save'], fixture('L-n-stats.1.2.1.nat-rr.txt'));
    expect(stats.code).toBe(1);
    expect(stats.err).toMatch(/^lvsctl ipvs save: <stdin>: an ipvsadm -L -n --stats listing does not show schedulers/);
    const pe = await run(['save'], fixture('constructed/L-n.1.2.1.mixed-ipv6-fwmark-flags.txt'));
    expect(pe.code).toBe(1);
    expect(pe.err).toMatch(/persistence engine 'sip'/);
  });
});

describe('lvsctl ipvs parse', () => {
  it('prints a readable table', async () => {
    const r = await run(['parse'], fixture('L-n.1.0.10.local.txt'));
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 6)).toEqual([
      'ipvsadm -L -n listing, IPVS 1.0.10 (connection table size 4096): 2 services, 4 realservers',
      '',
      'TCP 212.204.230.98:80  scheduler wrr  persistent 360s',
      '  REALSERVER    FORWARD  WEIGHT  ACTIVE  INACTIVE',
      '  127.0.0.1:80  masq     200     25      44',
      '  127.0.0.2:80  masq     200     12      27',
    ]);
  });

  it('summarises a connection table by state', async () => {
    const r = await run(['parse'], fixture('lab/L-n-c.1.2.1.lab-telnet-xdmcp.txt'));
    expect(r.out.split('\n')[0]).toBe('ipvsadm -L -n -c: 10 connection entries (TIME_WAIT 8, UDP 1, ASSURED 1)');
    expect(r.out).toContain('UDP  04:25   ASSURED    10.77.0.50:0      10.77.0.100:177  10.77.0.13:177\n');
  });

  it('--json: stable keys in the documented order, optional keys left out', async () => {
    const r = await run(['parse', '--json'], fixture('L-n.1.2.1.nat-rr.txt'));
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['kind', 'variant', 'ipvsVersion', 'connTableSize', 'approximate', 'services']);
    expect(Object.keys(j.services[0])).toEqual(['protocol', 'address', 'port', 'family', 'scheduler', 'destinations']);
    expect(Object.keys(j.services[0].destinations[0])).toEqual(['address', 'port', 'forward', 'weight', 'activeConns', 'inactiveConns']);
    const c = JSON.parse((await run(['parse', '--json'], fixture('constructed/L-n-c-persistent-conn.1.2.1.sip.txt'))).out);
    expect(c.connections[1]).toEqual({
      protocol: 'IP',
      expires: 3599,
      state: 'NONE',
      source: { address: '10.9.0.5', port: 0 },
      virtual: { address: '10.0.0.2', port: 5060 },
      destination: { address: '10.0.1.1', port: 5060 },
      peName: 'sip',
      peData: 'a84b4c76e66710',
    });
    const t = JSON.parse((await run(['parse', '--json'], fixture('L-timeout.1.2.1.txt'))).out);
    expect(t).toEqual({ kind: 'timeout', tcp: 900, tcpFin: 120, udp: 300 });
    const p = JSON.parse((await run(['parse', '--json', '--hz=250'], fixture('constructed/proc-ip_vs.1.2.1.mixed-ipv6-fwmark-hz250.txt'))).out);
    expect(Object.keys(p)).toEqual(['kind', 'ipvsVersion', 'connTableSize', 'hz', 'services', 'persistenceJiffies', 'notes']);
  });

  it('names the failing line on stderr and exits 1', async () => {
    expect(await run(['parse'], fixture('L-n.dpvs-0.0.0.ipv6-fullnat.txt'))).toEqual({
      code: 1,
      out: '',
      err: `lvsctl ipvs parse: <stdin>: line 5: unknown forwarding method 'FullNat' (Masq, Route, Tunnel or Local): "  -> 192.168.88.215:80            FullNat 1      0          0"\n`,
    });
    const noHz = await run(['parse'], fixture('constructed/proc-ip_vs.0.8.2.seed-director-linux24.txt'));
    expect(noHz.code).toBe(1);
    expect(noHz.err).toMatch(/line 8: persistence timeout is 36000 jiffies; give the director's HZ/);
  });

  it('usage errors exit 2', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['dump'])).err).toMatch(/unknown verb 'dump'/);
    expect((await run(['parse', '--hz', 'fast'])).code).toBe(2);
    expect((await run(['save', '--json'])).err).toMatch(/unknown option --json/);
    expect((await run(['parse', 'file.txt'])).err).toMatch(/unexpected argument 'file.txt'/);
  });

  it('is reachable through the lvsctl dispatcher', async () => {
    let out = '';
    const code = await main(['ipvs', 'parse', '--json'], { out: (t) => void (out += t), err: () => {}, readStdin: async () => fixture('L-timeout.1.2.1.txt') });
    expect(code).toBe(0);
    expect(JSON.parse(out).kind).toBe('timeout');
  });
});

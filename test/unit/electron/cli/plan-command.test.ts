import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import plan from '../../../../electron/cli/commands/plan.ts';
import type { CliIo } from '../../../../electron/cli/io.ts';

const dir = mkdtempSync(join(tmpdir(), 'lvsctl-plan-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const fixture = (p: string) => fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url));

const profile = file(
  'lab.json',
  JSON.stringify({
    id: 'lab',
    name: 'lab',
    director: { host: '10.77.0.2', user: 'root' },
    vip: '10.77.0.50',
    tcp: [{ port: 'telnet' }],
    udp: [{ port: 'xdmcp' }],
    realservers: [
      { host: '10.77.0.11', name: 'rs1' },
      { host: '10.77.0.12', name: 'rs2', weight: 2 },
    ],
  }),
);
// What `ipvsadm -S -n` prints for a table that drifted from the profile.
const liveSave = file(
  'live.save',
  ['-A -t 10.77.0.50:23 -s rr', '-a -t 10.77.0.50:23 -r 10.77.0.11:23 -m -w 1', '-a -t 10.77.0.50:23 -r 10.77.0.12:23 -m -w 1', '-a -t 10.77.0.50:23 -r 10.77.0.13:23 -m -w 1', '-A -u 10.77.0.50:177 -s wlc -p 360', '-a -u 10.77.0.50:177 -r 10.77.0.11:177 -m -w 1', ''].join('\n'),
);

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), readStdin: async () => '' };
  const code = await plan(args, io);
  return { code, out, err };
}

// Runs the human output with /bin/sh, ipvsadm/ip/sysctl replaced by functions that print their argv (one word a line)
// and stdin: proves the quoting and the here-doc give back exactly the steps' argv and stdin.
function replay(script: string): string {
  const prelude = `rec() { printf '%s\\n' "--- $#"; for a in "$@"; do printf '[%s]\\n' "$a"; done; }
ipvsadm() { rec ipvsadm "$@"; if [ "$1" = -R ]; then cat; fi; }
ip() { rec ip "$@"; }
sysctl() { rec sysctl "$@"; }
`;
  return execFileSync('/bin/sh', ['-c', prelude + script], { encoding: 'utf8' });
}
const expectedReplay = (steps: { argv: string[]; stdin?: string }[]) => steps.map((s) => `--- ${s.argv.length}\n${s.argv.map((a) => `[${a}]\n`).join('')}${s.stdin ?? ''}`).join('');

describe('lvsctl plan', () => {
  it('plans start from a JSON profile; the printed script replays to exactly the JSON steps', async () => {
    const h = await run([profile]);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^# lvsctl plan: start for lab \(VIP 10.77.0.50 on eth0:110\): 7 step\(s\)\n/);
    expect(h.out).toContain("ipvsadm -R <<'EOF'\n-A -t 10.77.0.50:23 -s wlc\n");
    const j = JSON.parse((await run([profile, '--json'])).out) as { verb: string; steps: { argv: string[]; stdin?: string; command: string; why: string }[] };
    expect(j.verb).toBe('start');
    expect(j.steps.map((s) => s.command)).toEqual([
      'ipvsadm -C',
      'ip addr add 10.77.0.50/24 dev eth0 label eth0:110',
      'sysctl -w net.ipv4.conf.all.send_redirects=0',
      'sysctl -w net.ipv4.conf.eth0.send_redirects=0',
      'sysctl -w net.ipv4.ip_forward=1',
      'sysctl -w net.ipv4.vs.expire_quiescent_template=1',
      'ipvsadm -R',
    ]);
    expect(replay(h.out)).toBe(expectedReplay(j.steps));
  });

  it('prints the minimal diff against a saved ipvsadm -S -n', async () => {
    const r = await run([profile, '--live', liveSave]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'ipvsadm -E -t 10.77.0.50:23 -s wlc',
      'ipvsadm -e -t 10.77.0.50:23 -r 10.77.0.12:23 -m -w 2',
      'ipvsadm -d -t 10.77.0.50:23 -r 10.77.0.13:23',
      'ipvsadm -a -u 10.77.0.50:177 -r 10.77.0.12:177 -m -w 2',
    ]);
    expect(r.out).toContain('# 2. 10.77.0.12:23 in tcp 10.77.0.50:23: weight 1 → 2\n');
  });

  it('says there is nothing to do when the live table matches', async () => {
    const start = JSON.parse((await run([profile, '--json'])).out) as { steps: { stdin?: string }[] };
    const inSync = file('in-sync.save', start.steps.at(-1)!.stdin!);
    const r = await run([profile, '--live', inSync]);
    expect(r.out).toBe('# lvsctl plan: diff against the live table for lab (VIP 10.77.0.50 on eth0:110): 0 step(s)\n# nothing to do: the live table matches the profile\n');
  });

  it('graceful diff from an ipvsadm -L -n listing: weight 0 now, delete the drained, list the draining', async () => {
    const list = file(
      'live.list',
      `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.77.0.50:23 wlc
  -> 10.77.0.11:23                Masq    1      0          0
  -> 10.77.0.12:23                Masq    2      0          0
  -> 10.77.0.13:23                Masq    0      0          0
  -> 10.77.0.14:23                Masq    0      3          1
  -> 10.77.0.15:23                Masq    1      0          0
UDP  10.77.0.50:177 wlc persistent 360
  -> 10.77.0.11:177               Masq    1      0          0
  -> 10.77.0.12:177               Masq    2      0          0
`,
    );
    const j = JSON.parse((await run([profile, '--live', list, '--graceful', '--json'])).out) as { steps: { command: string; followUp?: string }[]; waiting: unknown[] };
    expect(j.steps.map((s) => [s.command, s.followUp])).toEqual([
      ['ipvsadm -e -t 10.77.0.50:23 -r 10.77.0.15:23 -m -w 0', 'delete-when-drained'],
      ['ipvsadm -d -t 10.77.0.50:23 -r 10.77.0.13:23', undefined],
    ]);
    expect(j.waiting).toEqual([{ service: 'tcp 10.77.0.50:23', destination: '10.77.0.14:23', state: 'draining', connections: 4 }]);
  });

  it('plans update from --alive, and stop from saved `ip -o addr show` output', async () => {
    const u = await run([profile, '--verb', 'update', '--live', liveSave, '--alive', 'rs1', '--json']);
    expect((JSON.parse(u.out) as { steps: { command: string }[] }).steps.map((s) => s.command)).toEqual(['ipvsadm -d -t 10.77.0.50:23 -r 10.77.0.12:23']);
    const s = await run([profile, '--verb', 'stop', '--addrs', fixture('ip-addr/ip-o-addr-show.iproute2-6.1.0.netns.txt')]);
    expect(s.out.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['ipvsadm -C', 'ip addr del 10.77.0.50/24 dev eth0']);
  });

  it('reads an lvs.conf; names need --hosts offline and an unresolved one is named', async () => {
    const conf = fixture('lvs-conf/seed-style.conf');
    const bad = await run([conf, '--verb', 'reload']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/cannot resolve 'epsg9008' offline/);
    const hosts = ['epsg9008=10.0.0.50', ...[10, 11, 12, 13, 14, 15].map((n) => `epsg90${n}=10.0.0.${n}`)].join(',');
    const ok = await run([conf, '--verb', 'reload', '--hosts', hosts, '--json']);
    expect(ok.code).toBe(0);
    const steps = (JSON.parse(ok.out) as { steps: { command: string; stdin?: string }[] }).steps;
    expect(steps.map((s) => s.command)).toEqual(['ipvsadm -C', 'ipvsadm -R']);
    expect(steps[1]!.stdin!.split('\n')).toHaveLength(2 + 2 * 6 + 1);
  });

  it('rejects bad usage and bad input with the right exit codes', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run([profile, '--verb', 'launch'])).code).toBe(2);
    expect((await run([profile, '--verb', 'start', '--live', liveSave])).err).toMatch(/--live goes with the diff/);
    expect((await run([profile, '--verb', 'update', '--live', liveSave])).err).toMatch(/needs --live OUTPUT and --alive/);
    expect((await run([profile, '--verb', 'update', '--live', liveSave, '--alive', 'rs9'])).err).toMatch(/--alive names rs9, not realservers/);
    expect((await run([profile, '--hosts', 'x=notanaddress'])).code).toBe(2);
    const missing = await run([join(dir, 'nope.json')]);
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/cannot read profile .*nope.json: ENOENT/);
    const badJson = await run([file('bad.json', '{"id": "x", "vip": "10.0.0.1; rm -rf /"}')]);
    expect(badJson.code).toBe(1);
    expect(badJson.err).toMatch(/bad.json: vip: host contains a shell metacharacter/);
    const badLive = await run([profile, '--live', file('bad.save', '-A -t 10.77.0.50:23 -s wlc\nrm -rf /\n')]);
    expect(badLive.code).toBe(1);
    expect(badLive.err).toMatch(/bad.save: .*line 2/);
  });
});

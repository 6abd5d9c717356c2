/**
 * The perl probe (shell/perl-probe-script.ts) against the lean probe it stands in for (shell/lean-probe-script.ts), run
 * for real on the same hosts in a throwaway network namespace: the two must print the same bytes, line for line, for
 * every kind of answer a realserver gives (listening, refused, a Willing, a silent UDP port, an empty datagram, a reply
 * longer than PROBE_REPLY_MAX, ICMP port unreachable, a host that never answers (a veth whose peer is down: no ARP
 * answer), IPv6, the same host twice). The verdicts are checked too, so that equal outputs cannot be equally wrong.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LEAN_PROBE_SCRIPT } from '../../../../electron/shell/lean-probe-script.ts';
import { PERL_PROBE_CHUNK, PERL_PROBE_SCRIPT } from '../../../../electron/shell/perl-probe-script.ts';
import { parseServiceProbe, PROBE_REPLY_MAX, serviceProbeArgv, type ProbePlan } from '../../../../electron/health/service-probe.ts';

const canRun = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('unshare', ['--net', 'true']).status === 0;
const willingHex = readFileSync(new URL('../../../fixtures/xdmcp/willing.xdm-1.1.11.hex', import.meta.url), 'utf8').replace(/\s+/g, '');

// the realservers' services, in the namespace: TCP 23 listening (24 closed); UDP 177 answers a Willing, 178 is silent,
// 179 answers an empty datagram, 180 answers 3000 bytes, 181 has nothing (ICMP port unreachable); on 127.0.0.1 and ::1
const SERVERS = `
const net = require('net'), dgram = require('dgram');
const willing = Buffer.from(process.argv[2], 'hex'), big = Buffer.alloc(3000, 0xab);
big.write('BIG');
for (const [host, fam] of [['127.0.0.1', 'udp4'], ['::1', 'udp6']]) {
  net.createServer((c) => c.on('error', () => {})).listen(23, host);
  for (const [port, answer] of [[177, willing], [178, null], [179, Buffer.alloc(0)], [180, big]]) {
    const u = dgram.createSocket(fam);
    if (answer) u.on('message', (m, r) => u.send(answer, r.port, r.address));
    u.bind(port, host);
  }
}
setTimeout(() => console.log('ready'), 300);
`;

// a cluster bigger than one chunk of the perl probe: 127.0.1.1–127.0.2.50 (every 127/8 address is this namespace's
// loopback) with 10.8.0.9 (no answer at all) in the middle; TCP 23 listens on all of them, UDP 177 answers a Willing
// from a socket bound to each address (a reply must come from the address asked)
const BIG = [...Array.from({ length: 255 }, (_, i) => `127.0.1.${i + 1}`), ...Array.from({ length: 50 }, (_, i) => `127.0.2.${i + 1}`)];
BIG.splice(150, 0, '10.8.0.9');
const BIG_SERVERS = `
const net = require('net'), dgram = require('dgram');
const willing = Buffer.from(process.argv[2], 'hex');
net.createServer((c) => c.on('error', () => {})).listen(23, '0.0.0.0');
const hosts = ${JSON.stringify(BIG.filter((a) => a.startsWith('127.')))};
let bound = 0;
for (const h of hosts) {
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => u.send(willing, r.port, r.address));
  u.bind(177, h, () => { if (++bound === hosts.length) console.log('ready'); });
}
`;

const plan: ProbePlan = {
  hosts: ['127.0.0.1', '127.0.0.2', '10.8.0.9', '::1', '127.0.0.1'].map((a) => ({ name: a, address: a })),
  services: [
    { protocol: 'tcp', port: 23, check: { kind: 'connect' } },
    { protocol: 'tcp', port: 24, check: { kind: 'connect' } },
    { protocol: 'udp', port: 177, check: { kind: 'xdmcp' } },
    { protocol: 'udp', port: 178, check: { kind: 'xdmcp' } },
    { protocol: 'udp', port: 179, check: { kind: 'udp', payload: '3f', reply: '' } },
    { protocol: 'udp', port: 180, check: { kind: 'udp', payload: '3f', reply: '424947' } },
    { protocol: 'udp', port: 181, check: { kind: 'udp', payload: '3f', reply: '' } },
  ],
  unchecked: [],
  timeoutSec: 1,
};

/** Runs the perl probe and the lean probe on `args` (T TCPPORTS UDPSPECS HOST…) in one fresh network namespace, with
 * `servers` (node code, given the Willing's hex) serving there; returns both outputs. 10.8.0.9 is on a veth whose peer
 * is down, so nothing answers its ARP (its checks end at the probe's timer). */
function bothProbes(dir: string, servers: string, args: readonly string[]): { perl: string; lean: string } {
  writeFileSync(join(dir, 'servers.js'), servers);
  // NUL-separated argv files: read back by bash's mapfile, so no argument passes through a shell's word splitting
  writeFileSync(join(dir, 'perl'), ['perl', '-e', PERL_PROBE_SCRIPT, '--', ...args].join('\0'));
  writeFileSync(join(dir, 'lean'), ['bash', '-c', LEAN_PROBE_SCRIPT, 'lvs-console-probe', ...args].join('\0'));
  const inner = [
    'set -e; ip link set lo up',
    'ip link add v0 type veth peer name v1; ip addr add 10.8.0.1/24 dev v0; ip link set v0 up',
    'rm -f "$1/ready"; node "$1/servers.js" "$2" > "$1/ready" & s=$!',
    'for i in $(seq 100); do [ -s "$1/ready" ] && break; sleep 0.1; done',
    'mapfile -d "" a < "$1/perl"; "${a[@]}" > "$1/perl.out"',
    'mapfile -d "" a < "$1/lean"; "${a[@]}" > "$1/lean.out"',
    'kill $s',
  ].join('\n');
  const r = spawnSync('unshare', ['--net', '--', 'bash', '-c', inner, 'probe', dir, willingHex], { encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return { perl: readFileSync(join(dir, 'perl.out'), 'utf8'), lean: readFileSync(join(dir, 'lean.out'), 'utf8') };
}

describe.runIf(canRun)('the perl probe prints what the lean probe prints (both run for real in one network namespace)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perlprobe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('byte for byte, for every kind of answer, with the verdicts of the health probe', () => {
    const { perl, lean } = bothProbes(dir, SERVERS, serviceProbeArgv(plan).slice(4));
    expect(perl).toBe(lean);
    // 127.0.0.1 was asked twice and answered alike: every one of its lines twice (the parser takes one result per check)
    const lines = perl.split('\n').filter(Boolean);
    expect(lines.filter((l) => l.startsWith('127.0.0.1 ')).length).toBe(2 * new Set(lines.filter((l) => l.startsWith('127.0.0.1 '))).size);
    const once = { ...plan, hosts: plan.hosts.slice(0, 4) };
    const verdicts = parseServiceProbe([...new Set(lines)].join('\n'), once).map((h) => [h.address, h.icmp, h.services.map((s) => s.verdict).join(' ')]);
    expect(verdicts).toEqual([
      ['127.0.0.1', true, 'pass fail pass fail fail pass fail'],
      ['127.0.0.2', true, 'fail fail fail fail fail fail fail'], // refused everywhere, so pinged (loopback answers)
      ['10.8.0.9', false, 'fail fail fail fail fail fail fail'],
      ['::1', true, 'pass fail pass fail fail pass fail'],
    ]);
    // the 3000-byte reply is cut at PROBE_REPLY_MAX, as the health probe cuts it
    const big = perl.split('\n').find((l) => l.startsWith('127.0.0.1 udp 180 reply '))!;
    expect(big.split(' ')[4]).toBe(Buffer.concat([Buffer.from('BIG'), Buffer.alloc(PROBE_REPLY_MAX - 3, 0xab)]).toString('hex'));
    expect(perl).toContain(`127.0.0.1 udp 177 reply ${willingHex}\n`);
  }, 60_000);

  it(`more checks than the perl probe opens at once (${PERL_PROBE_CHUNK}): ${BIG.length} realservers × 2 services, a dead one among them`, () => {
    const big: ProbePlan = { ...plan, hosts: BIG.map((a) => ({ name: a, address: a })), services: plan.services.filter((s) => s.port === 23 || s.port === 177) };
    expect(big.hosts.length * big.services.length).toBeGreaterThan(PERL_PROBE_CHUNK);
    const { perl, lean } = bothProbes(dir, BIG_SERVERS, serviceProbeArgv(big).slice(4));
    expect(perl).toBe(lean);
    const verdicts = parseServiceProbe(perl, big).map((h) => `${h.icmp} ${h.services.map((s) => s.verdict).join(' ')}`);
    expect(verdicts.filter((v) => v === 'true pass pass').length).toBe(BIG.length - 1);
    expect(verdicts[BIG.indexOf('10.8.0.9')]).toBe('false fail fail');
  }, 120_000);
});

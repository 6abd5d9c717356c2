import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSchema } from '../../../../shared/model/cluster.ts';
import { compileKeepalived, PRIORITY } from '../../../../electron/keepalived/keepalived-conf.ts';
import { failovers, parseKeepalivedData, parseVrrpEvents, parseVrrpJson, parseVrrpStateFile } from '../../../../electron/keepalived/state-parse.ts';
import { profileResolver } from '../../../../electron/lvs/plan/desired-table.ts';
import { labCluster } from '../../../fixtures/lab-cluster.ts';

// Captured from keepalived 2.2.7 running the compiled lab pair, VRRP only, in namespaces (capture-vrrp.sh)
const DIR = join(__dirname, '../../../fixtures/keepalived/vrrp');
const fx = (f: string) => readFileSync(join(DIR, f), 'utf8');
const steps = ['1-started', '2-primary-dead', '3-primary-back', '4-secondary-yields', '5-yield-undone'] as const;

describe('keepalived JSON dump (SIGJSON)', () => {
  it('gives each director its role at every step of the capture', () => {
    const roles: Record<string, string> = {};
    for (const step of steps) {
      for (const d of ['primary', 'secondary']) {
        if (step === '2-primary-dead' && d === 'primary') continue; // killed: no dump
        const [i] = parseVrrpJson(fx(`${step}.${d}.keepalived.json`));
        roles[`${step} ${d}`] = i!.state;
      }
    }
    expect(roles).toEqual({
      '1-started primary': 'MASTER',
      '1-started secondary': 'BACKUP',
      '2-primary-dead secondary': 'MASTER',
      '3-primary-back primary': 'BACKUP', // nopreempt: the old master does not take the VIP back
      '3-primary-back secondary': 'MASTER',
      '4-secondary-yields primary': 'MASTER',
      '4-secondary-yields secondary': 'FAULT', // the yield file (track_file weight 0)
      '5-yield-undone primary': 'MASTER',
      '5-yield-undone secondary': 'BACKUP',
    });
  });
  it('reads the instance: priorities, VRRPv3 at 500 ms, nopreempt, the VIP and gateway, counters', () => {
    const [p] = parseVrrpJson(fx('1-started.primary.keepalived.json'));
    expect(p).toEqual({
      name: 'VI_1',
      state: 'MASTER',
      wantState: 'MASTER',
      vrid: 51,
      version: 3,
      basePriority: 254,
      effectivePriority: 254,
      advertMs: 500,
      nopreempt: true,
      lastTransition: 1796157213540,
      vips: ['10.77.0.100/24', '10.77.0.254/24'],
      vipsSet: true,
      becameMaster: 1,
      releasedMaster: 0,
      advertsReceived: 0,
      advertsSent: expect.any(Number),
    });
    const [s] = parseVrrpJson(fx('4-secondary-yields.secondary.keepalived.json'));
    expect(s).toMatchObject({ state: 'FAULT', basePriority: 253, vipsSet: false, becameMaster: 1, releasedMaster: 1 });
  });
  it('refuses a cut-off or foreign file', () => {
    const whole = fx('1-started.primary.keepalived.json');
    expect(() => parseVrrpJson(whole.slice(0, whole.length / 2))).toThrow(/not JSON .*is the dump complete/);
    expect(() => parseVrrpJson('{}')).toThrow(/expected an array/);
    expect(() => parseVrrpJson(whole.replace('"state":2', '"state":42'))).toThrow(/unknown state 42/);
  });
});

describe('keepalived data dump (SIGUSR1): what keepalived parsed equals what the compiler wrote', () => {
  const cluster = clusterSchema.parse({ ...labCluster(), runtime: 'keepalived', pair: { director: { host: '10.77.0.2', user: 'root' }, gateway: '10.77.0.254' } });
  for (const d of ['primary', 'secondary'] as const) {
    it(`the ${d} director`, () => {
      const conf = fx(`${d}.conf`);
      // the capture ran the compiler's file of its time, less its sync daemon line (no IPVS on the capture machine);
      // the compiler has no such line any more (lvs-pair runs the sync daemons)
      const compiled = compileKeepalived({ cluster, resolve: profileResolver(cluster), director: d, paths: { notifyScript: /notify "([^"]+)"/.exec(conf)![1]!, yieldFile: /file "([^"]+)"/.exec(conf)![1]! } });
      expect(conf).toBe(compiled.text);
      const dump = parseKeepalivedData(fx(`1-started.${d}.keepalived.data`));
      expect(dump.routerId).toBe(`lvs-console-lab-${d}`);
      expect(dump.vrrpVersion).toBe(3);
      expect(dump.instances).toEqual([
        {
          name: 'VI_1',
          version: 3,
          state: d === 'primary' ? 'MASTER' : 'BACKUP',
          vrid: cluster.pair!.vrid,
          priority: PRIORITY[d],
          effectivePriority: PRIORITY[d],
          advertMs: cluster.pair!.advertMs,
          preempt: false,
          interface: 'eth0',
          virtualIps: ['10.77.0.100/24 dev eth0 scope global label eth0:110', '10.77.0.254/24 dev eth0 scope global'],
          vipsSet: d === 'primary',
          trackedFiles: ['lvs_console_yield'],
          notifyScript: /notify "([^"]+)"/.exec(conf)![1],
        },
      ]);
    });
  }
  it('refuses an instance block without its priority', () => {
    expect(() => parseKeepalivedData(fx('1-started.primary.keepalived.data').replace(/^ {3}Priority = .*\n/m, ''))).toThrow(/VRRP instance VI_1: no priority/);
  });
});

describe('notify script files', () => {
  it('event logs: every transition with its time; failovers newest first, the first election not counted', () => {
    const primary = parseVrrpEvents(fx('primary.vrrp-events'));
    const secondary = parseVrrpEvents(fx('secondary.vrrp-events'));
    expect(primary.map((e) => e.state)).toEqual(['BACKUP', 'MASTER', 'BACKUP', 'MASTER', 'STOP']);
    expect(secondary.map((e) => e.state)).toEqual(['BACKUP', 'MASTER', 'FAULT', 'BACKUP', 'STOP']);
    expect(primary[1]).toEqual({ at: 1796157213000, type: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 254 });
    expect(failovers({ director: primary, director2: secondary })).toEqual([
      { director: 'director', at: 1796157222000 },
      { director: 'director2', at: 1796157216000 },
    ]);
    expect(() => parseVrrpEvents('1 INSTANCE VI_1 MASTER 150\nnonsense\n')).toThrow(/line 2/);
  });
  it('state file: the last transition', () => {
    expect(parseVrrpStateFile(fx('3-primary-back.primary.vrrp-state'))).toEqual({ at: 1796157218000, name: 'VI_1', state: 'BACKUP', priority: 254 });
    expect(parseVrrpStateFile('')).toBeUndefined();
    expect(() => parseVrrpStateFile('x y z')).toThrow(/vrrp-state/);
  });
});

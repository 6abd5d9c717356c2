import { existsSync, readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { realProofSkip } from '../../../support/require-real.ts';
import { linuxDisplayTaken, pickDisplay } from '../../../../electron/launch/display.ts';
import { detectLaunchers } from '../../../../electron/launch/detect.ts';
import { nodeDetectReaders } from '../../../../electron/launch/node-readers.ts';
import { planLaunch } from '../../../../electron/launch/plan-launch.ts';
import { LAUNCH_SPAWN_OPTIONS, spawnDetached, type SpawnFn } from '../../../../electron/launch/spawn-detached.ts';

function fakeSpawn(outcome: { pid?: number; error?: string }) {
  const calls: unknown[][] = [];
  let unrefs = 0;
  const fn: SpawnFn = (file, args, options) => {
    calls.push([file, args, options]);
    const child = Object.assign(new EventEmitter(), { pid: outcome.pid, unref: () => void unrefs++ });
    setImmediate(() => {
      if (outcome.error) child.emit('error', Object.assign(new Error(`spawn ${file} ${outcome.error}`), { code: outcome.error }));
      else child.emit('spawn');
    });
    return child;
  };
  return { fn, calls, unrefs: () => unrefs };
}

describe('spawnDetached', () => {
  it('spawns an argv array without a shell, detached, window visible, and unrefs the child', async () => {
    const f = fakeSpawn({ pid: 4242 });
    expect(await spawnDetached('C:\\PuTTY\\putty.exe', ['-telnet', '10.77.0.100'], f.fn)).toEqual({ pid: 4242 });
    expect(f.calls).toEqual([['C:\\PuTTY\\putty.exe', ['-telnet', '10.77.0.100'], { shell: false, detached: true, windowsHide: false, stdio: 'ignore' }]]);
    expect(f.unrefs()).toBe(1);
    expect(LAUNCH_SPAWN_OPTIONS.shell).toBe(false);
  });

  it('turns ENOENT into NOT_FOUND and EACCES into UNSUPPORTED', async () => {
    await expect(spawnDetached('/nope/Xephyr', [], fakeSpawn({ error: 'ENOENT' }).fn)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('/nope/Xephyr was not found') });
    await expect(spawnDetached('/etc/passwd', [], fakeSpawn({ error: 'EACCES' }).fn)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('really starts nothing for a missing program (real spawn)', async () => {
    await expect(spawnDetached('/nonexistent/lvs-console/Xephyr', [':5'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

const xvfb = !realProofSkip(process.platform === 'linux' && existsSync('/usr/bin/Xvfb') ? undefined : 'Xvfb needs Linux and /usr/bin/Xvfb (apt-get install xvfb)', 'the real Xvfb launch test');

describe.skipIf(!xvfb)('Connect me on Linux, for real: Xvfb detected, planned and spawned', () => {
  it('starts Xvfb with exactly the rendered argv (no shell) and it runs until killed', async () => {
    // The user-override path of detection, with a template that stays on this machine: no "-listen tcp", and the
    // XDMCP query goes to 127.0.0.1 (nothing listens on UDP 177 there), so nothing leaves the loopback interface.
    const readers = nodeDetectReaders();
    const { launchers } = await detectLaunchers(readers, {
      xvfb: { path: '/usr/bin/Xvfb', argsTemplate: [':{display}', '-query', '{vip}', '-once', '-nolisten', 'tcp', '-screen', '0', '640x480x8'] },
    });
    const display = await pickDisplay(linuxDisplayTaken(readers.exists), 90, 99);
    const plan = planLaunch(launchers, { kind: 'xdmcp', launcherId: 'xvfb' }, { vip: '127.0.0.1', display }, 'linux');
    expect(plan.args).toEqual([`:${display}`, '-query', '127.0.0.1', '-once', '-nolisten', 'tcp', '-screen', '0', '640x480x8']);
    const { pid } = await spawnDetached(plan.file, plan.args);
    try {
      const lock = `/tmp/.X${display}-lock`;
      for (let i = 0; i < 100 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 50));
      expect(Number(readFileSync(lock, 'utf8').trim())).toBe(pid);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      expect(cmdline).toEqual([plan.file, ...plan.args]);
    } finally {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100; i++) {
        const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
        if (!stat || / Z /.test(stat)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(existsSync(`/tmp/.X${display}-lock`)).toBe(false);
  });
});

describe('pickDisplay', () => {
  it('skips displays whose lock file or socket exists', async () => {
    const taken = new Set(['/tmp/.X1-lock', '/tmp/.X11-unix/X2']);
    expect(await pickDisplay(linuxDisplayTaken((p) => taken.has(p)))).toBe(3);
    await expect(pickDisplay(() => true, 1, 3)).rejects.toThrow(/no free X display number between :1 and :3/);
  });
});

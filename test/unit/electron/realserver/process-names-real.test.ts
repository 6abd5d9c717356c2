/**
 * pscomm (service-status.ts: the process names from /proc, read by the shell) against the program it stands in for:
 * in a fresh PID namespace with known processes (one named xdm, one with a name longer than the kernel's 15 characters),
 * `ps -e -o comm=` and pscomm under dash and busybox sh list the same names. Needs root (unshare --pid); skipped otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findDisplayManager, LINUX_PROCESS_NAMES_FUNCTION } from '../../../../electron/realserver/service-status.ts';

const root = process.getuid?.() === 0 && process.platform === 'linux';
const tmp = mkdtempSync(join(tmpdir(), 'pscomm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!root || spawnSync('sh', ['-c', 'command -v unshare && command -v ps']).status !== 0)('pscomm, read by real shells, against ps', () => {
  for (const shell of [['dash'], ['busybox', 'sh']]) {
    it(`${shell.join(' ')}: the same names as ps -e -o comm=, in a PID namespace with xdm running`, () => {
      const sleeper = execFileSync('sh', ['-c', 'command -v sleep']).toString().trim();
      copyFileSync(sleeper, join(tmp, 'xdm'));
      copyFileSync(sleeper, join(tmp, 'a-name-longer-than-fifteen'));
      execFileSync('chmod', ['755', join(tmp, 'xdm'), join(tmp, 'a-name-longer-than-fifteen')]);
      // inside: two long-running processes, then ps and pscomm one after the other (the shell itself is in both lists)
      const script = [
        LINUX_PROCESS_NAMES_FUNCTION,
        `"${tmp}/xdm" 30 & a=$!; "${tmp}/a-name-longer-than-fifteen" 30 & b=$!`,
        // until both children have exec'd (a forked child not yet exec'd is still named after the shell: seen under load)
        'n=0; while :; do read x < /proc/$a/comm; read y < /proc/$b/comm; [ "$x $y" = "xdm a-name-longer-t" ] && break; n=$((n + 1)); [ $n -lt 5000 ] || break; done',
        'echo @@ps; ps -e -o comm=; echo @@pscomm; pscomm; kill $a $b',
      ].join('\n');
      const out = execFileSync('unshare', ['--pid', '--fork', '--mount-proc', ...shell, '-c', script]).toString();
      const [ps, own] = out.split('@@pscomm\n') as [string, string];
      const names = (t: string) => t.replace('@@ps\n', '').split('\n').filter(Boolean).sort();
      // ps lists itself; pscomm starts no program
      expect(names(own)).toEqual(names(ps).filter((n) => n !== 'ps'));
      expect(names(own)).toContain('xdm');
      expect(names(own)).toContain('a-name-longer-t');
      expect(findDisplayManager('linux', own)).toBe('xdm');
    });
  }
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pushConf } from '../../../../electron/services/conf-remote.ts';
import type { Executor } from '../../../../electron/ssh/types.ts';
import { localExec } from './local-director.ts';

describe('conf push', () => {
  it('validates locally (FILE:LINE:COL) before anything runs, then writes atomically with a backup', async () => {
    const never: Executor = { label: 'director 10.0.0.1', exec: async () => expect.unreachable('nothing may run for an invalid file') };
    await expect(pushConf(never, 'VIP=10.0.0.100\nVIP_IF=eth0:110\nLVS_IF=eth0\nTPORTS="nosuchport"\n', 'my.conf')).rejects.toThrow(/^my\.conf:4:9: TPORTS item "nosuchport"/);
    const d = mkdtempSync(join(tmpdir(), 'push-'));
    const path = join(d, 'lvs.conf');
    writeFileSync(path, 'VIP=old\n');
    const text = 'VIP=10.0.0.100\nVIP_IF=eth0:110\nLVS_IF=eth0\nTPORTS="telnet"\n';
    const r = await pushConf(localExec('director 10.0.0.1', process.env), text, 'my.conf', { path, now: new Date('2026-11-25T10:00:00Z') });
    expect(r.backup).toBe(`${path}.bak.20261125T100000Z`);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(readFileSync(r.backup, 'utf8')).toBe('VIP=old\n');
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomicWriteStep, backupStamp } from '../../../../electron/shell/remote-file.ts';

// Runs the step's argv locally with the real /bin/sh: the same script the director runs.
function run(step: ReturnType<typeof atomicWriteStep>): number {
  try {
    execFileSync(step.argv[0]!, step.argv.slice(1), { input: step.stdin });
    return 0;
  } catch (e) {
    return (e as { status: number }).status;
  }
}

describe('atomic remote write', () => {
  it('replaces the file, keeps a timestamped backup, sets the mode', () => {
    const d = mkdtempSync(join(tmpdir(), 'aw-'));
    const f = join(d, 'lvs.conf');
    writeFileSync(f, 'VIP=old\n');
    expect(run(atomicWriteStep('director', f, 'VIP=new\n', { mode: '644', stamp: '20261125T000000Z', shellCheck: true, why: 't' }))).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe('VIP=new\n');
    expect(readFileSync(`${f}.bak.20261125T000000Z`, 'utf8')).toBe('VIP=old\n');
    expect((statSync(f).mode & 0o777).toString(8)).toBe('644');
  });
  it('leaves the old file and no temp file when the syntax check fails', () => {
    const d = mkdtempSync(join(tmpdir(), 'aw-'));
    const f = join(d, 'lvs.conf');
    writeFileSync(f, 'VIP=old\n');
    expect(run(atomicWriteStep('director', f, 'VIP="unterminated\n', { mode: '644', stamp: '-', shellCheck: true, why: 't' }))).toBe(11);
    expect(readFileSync(f, 'utf8')).toBe('VIP=old\n');
    expect(readdirSync(d)).toEqual(['lvs.conf']);
  });
  it('keeps paths out of the script and refuses odd paths', () => {
    const s = atomicWriteStep('director', '/etc/lvs.conf', 'x', { mode: '644', stamp: '-', why: 't' });
    expect(s.argv[2]).not.toContain('/etc/lvs.conf');
    expect(() => atomicWriteStep('d', '/etc/../x', 'x', { mode: '644', stamp: '-', why: 't' })).toThrow();
    expect(() => atomicWriteStep('d', "/etc/x';rm", 'x', { mode: '644', stamp: '-', why: 't' })).toThrow();
    expect(backupStamp(new Date('2026-11-25T15:58:01.123Z'))).toBe('20261125T155801Z');
  });
});

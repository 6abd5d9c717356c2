import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { THR_MERGE } from '../../../../electron/shell/transaction-script.ts';
import { parseIpvsadmSave } from '../../../../electron/lvs/ipvs/ipvsadm-save-parse.ts';

const fixture = (p: string) => readFileSync(new URL(`../../../fixtures/ipvsadm/lab/${p}`, import.meta.url), 'utf8');
const SAVE = fixture('S-n.1.2.1.lab-seed-nat.txt');
const THRESHOLDS = fixture('L-n-thresholds.1.2.1.lab-seed-nat.txt');
// rs2's telnet destination with thresholds 50/10, rs3's XDMCP one with only a lower threshold
const WITH = THRESHOLDS.replace(/( {2}-> 10\.77\.0\.12:23 +)0 {10}0/, '$150         10').replace(/( {2}-> 10\.77\.0\.13:177 +)0 {10}0/, '$10          3');

const dir = mkdtempSync(join(tmpdir(), 'thr-merge-'));
// The director runs busybox's awk; this machine's default is mawk: run both.
const busyboxBin = join(dir, 'busybox-bin');
execFileSync('mkdir', ['-p', busyboxBin]);
symlinkSync(execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim(), join(busyboxBin, 'awk'));

/** thr_merge THRESHOLDS SAVE with the given awk first on PATH. */
function merge(thresholds: string, save: string, pathFirst?: string): string {
  const t = join(dir, 'thr');
  const s = join(dir, 'snap');
  writeFileSync(t, thresholds);
  writeFileSync(s, save);
  const env = { ...process.env, PATH: pathFirst ? `${pathFirst}:${process.env.PATH}` : process.env.PATH };
  return execFileSync('sh', ['-c', `${THR_MERGE}\nthr_merge "$1" "$2"`, 'x', t, s], { encoding: 'utf8', env });
}

describe.each([
  ['the default awk', undefined],
  ['busybox awk', busyboxBin],
])('thr_merge (%s): the snapshot with the thresholds -S leaves out', (_name, path) => {
  it('adds -x/-y to exactly the destinations that have them; ipvsadm -R text our parser reads back', () => {
    const out = merge(WITH, SAVE, path);
    expect(out.split('\n').filter((l) => l.includes(' -x '))).toEqual([
      '-a -t 10.77.0.100:23 -r 10.77.0.12:23 -m -w 1 -x 50 -y 10',
      '-a -u 10.77.0.100:177 -r 10.77.0.13:177 -m -w 1 -x 0 -y 3',
    ]);
    expect(out.replace(/ -x \d+ -y \d+/g, '')).toBe(SAVE);
    const dests = parseIpvsadmSave(out).services.flatMap((s) => s.destinations);
    expect(dests.map((d) => [d.address, d.port, d.upperThreshold ?? 0, d.lowerThreshold ?? 0]).filter((d) => d[2] || d[3])).toEqual([
      ['10.77.0.12', 23, 50, 10],
      ['10.77.0.13', 177, 0, 3],
    ]);
  });

  it('without thresholds, or with an empty listing (empty table), prints the snapshot unchanged', () => {
    expect(merge(THRESHOLDS, SAVE, path)).toBe(SAVE);
    expect(merge('', SAVE, path)).toBe(SAVE);
    expect(merge('', '', path)).toBe('');
  });
});

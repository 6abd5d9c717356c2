/**
 * The one plan renderer, checked against the program that reads it: the printed plan is run by a real sh (with
 * stand-ins for the commands that print their stdin), so a here-document body comes back byte for byte whatever lines
 * it holds, and no reason or name, newline and all, becomes a command of its own.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../../shared/model/plan.ts';
import { hereDocDelimiter, renderPlan } from '../../../../electron/services/plan-render.ts';
import { escapeControls } from '../../../../electron/shell/shell-comment.ts';

const dir = mkdtempSync(join(tmpdir(), 'plan-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `text` with sh, `ipvsadm` and `touch` replaced by stand-ins that log their argv and stdin. */
function replay(text: string): string {
  const bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  for (const name of ['ipvsadm', 'touch']) {
    writeFileSync(join(bin, name), `#!/bin/sh\nprintf '[%s]' "${name}" "$@" >> "${dir}/log"; echo >> "${dir}/log"; cat >> "${dir}/log"\n`);
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(dir, 'log'), '');
  const r = spawnSync('sh', ['-c', text], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8', input: '' });
  expect(r.status, r.stderr).toBe(0);
  return spawnSync('cat', [join(dir, 'log')], { encoding: 'utf8' }).stdout;
}

describe('plan renderer', () => {
  it('picks a here-document delimiter no line of the body equals; sh gives the body back unchanged', () => {
    const body = '-A -t 10.0.0.1:23 -s wlc\nEOF\nEOF1\n  EOF2\n';
    expect(hereDocDelimiter(body)).toBe('EOF2');
    const plan: Plan = { verb: 'reload', steps: [{ host: 'director', argv: ['ipvsadm', '-R'], stdin: body, why: 'batch' }] };
    const text = renderPlan(plan, { title: 'reload on director 10.0.0.1' });
    expect(text).toContain("ipvsadm -R <<'EOF2'\n");
    expect(replay(text)).toBe(`[ipvsadm][-R]\n${body}`);
  });

  it('escapes control characters in comments: a newline in a name or reason never becomes a command', () => {
    const evil = 'rs1\ntouch /tmp/pwned-by-plan\r\u001b[31m\u202e';
    expect(escapeControls(evil)).toBe('rs1\\ntouch /tmp/pwned-by-plan\\r\\x1b[31m\\u202e');
    const plan: Plan = { verb: 'edit', steps: [{ host: evil, argv: ['ipvsadm', '-e', '-t', '10.0.0.1:23'], why: evil }], summary: [evil] };
    const text = renderPlan(plan, { title: `drain ${evil}`, before: [evil], after: [evil] });
    expect(text.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(["ipvsadm -e -t 10.0.0.1:23"]);
    expect(replay(text)).toBe('[ipvsadm][-e][-t][10.0.0.1:23]\n');
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../../../electron/cli/io.ts';
import { main } from '../../../../../electron/cli/lvsctl.ts';

/** Runs lvsctl in-process and captures its streams (no verb here reaches a host: only argument and profile handling). */
async function lvsctl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), readStdin: async () => '' };
  const code = await main(args, io);
  return { code, out, err };
}

describe('lvsctl remote verbs: arguments and profile', () => {
  it('needs --profile, and takes it before or after the verb', async () => {
    const r = await lvsctl(['start']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^lvsctl start: --profile FILE is required/);
    const missing = await lvsctl(['--profile', '/nonexistent/profile.json', 'status']);
    expect(missing).toMatchObject({ code: 3, err: 'lvsctl: /nonexistent/profile.json: no such profile file\n' });
    expect((await lvsctl(['status', '--profile', '/nonexistent/profile.json'])).err).toBe('lvsctl: /nonexistent/profile.json: no such profile file\n');
  });

  it('rejects an invalid profile naming the file and the field (exit 1), as JSON with --json', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'prof-')), 'p.json');
    writeFileSync(f, JSON.stringify({ id: 'x', name: 'x', director: { host: '10.0.0.1', user: 'root' }, vip: '10.0.0.100', scheduler: 'fast' }));
    const r = await lvsctl(['--profile', f, 'start']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${f}: scheduler: scheduler must be one of rr, wrr`);
    const j = await lvsctl(['--profile', f, '--json', 'status']);
    expect(JSON.parse(j.out)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('says which verbs and options exist', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'prof-')), 'p.json');
    writeFileSync(f, JSON.stringify({ id: 'x', name: 'x', director: { host: '10.0.0.1', user: 'root' }, vip: '10.0.0.100' }));
    expect((await lvsctl(['--profile', f, 'frobnicate'])).err).toMatch(/^lvsctl: unknown remote verb 'frobnicate'/);
    expect((await lvsctl(['--profile', f, 'start', '--force'])).err).toMatch(/^lvsctl start: unknown option --force/);
    expect((await lvsctl(['--profile', f, 'realserver', 'check'])).err).toMatch(/give one realserver NAME or --all/);
    expect((await lvsctl(['--profile', f, 'conf', 'check'])).code).toBe(2);
    expect((await lvsctl(['--profile'])).err).toMatch(/--profile needs a value/);
    const help = await lvsctl(['--profile', f, 'help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('install-director');
  });
});

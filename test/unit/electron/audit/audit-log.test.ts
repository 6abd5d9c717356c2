import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuditLog, type AuditEntry } from '../../../../electron/audit/audit-log.ts';
import { asChange } from '../../../../electron/audit/audit-context.ts';
import { MASK } from '../../../../electron/audit/scrub.ts';
import { parseCsv } from './parse-csv.ts';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'lvs-audit-'));
  dirs.push(d);
  return d;
};
const noSecrets = { knownValues: () => [] as string[] };

function entry(i: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return { time: 1_700_000_000_000 + i * 1000, host: 'director 10.77.0.2', argv: ['ipvsadm', '-S', '-n'], code: 0, durationMs: 12 + i, outputExcerpt: `-A -t 10.77.0.100:23 -s rr #${i}`, ...over };
}

describe('createAuditLog', () => {
  it('lists newest first and bounds what it keeps in memory', () => {
    const log = createAuditLog({ secrets: noSecrets, maxEntries: 100 });
    for (let i = 0; i < 250; i++) log.append(entry(i));
    const all = log.list(10_000);
    expect(all).toHaveLength(100);
    expect(all[0]!.durationMs).toBe(12 + 249);
    expect(all[99]!.durationMs).toBe(12 + 150);
    expect(log.list(3).map((e) => e.durationMs)).toEqual([261, 260, 259]);
    expect(log.file).toBeUndefined();
  });

  it('masks known secrets in argv and output, and bounds the excerpt to 2 KB', () => {
    const secrets = { knownValues: () => ['s3cr3t-sudo'] };
    const dir = tempDir();
    const onAppend = vi.fn();
    const log = createAuditLog({ dir, secrets, onAppend });
    const stored = log.append(entry(1, { argv: ['sh', '-c', 'echo s3cr3t-sudo | sudo -S ipvsadm -C'], outputExcerpt: `[sudo] password: s3cr3t-sudo\n${'x'.repeat(5000)}` }));
    expect(stored.argv[2]).toBe(`echo ${MASK} | sudo -S ipvsadm -C`);
    expect(stored.outputExcerpt.startsWith(`[sudo] password: ${MASK}`)).toBe(true);
    expect(Buffer.byteLength(stored.outputExcerpt)).toBeLessThanOrEqual(2048);
    expect(onAppend).toHaveBeenCalledWith(stored);
    expect(readFileSync(log.file!, 'utf8')).not.toContain('s3cr3t');
  });

  it('persists as JSONL and reads it back on the next start', () => {
    const dir = tempDir();
    const a = createAuditLog({ dir, secrets: noSecrets });
    a.append(entry(1));
    a.append(entry(2, { code: null, host: 'rs1 10.77.0.11' }));
    const lines = readFileSync(path.join(dir, 'audit.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).durationMs)).toEqual([13, 14]);
    const b = createAuditLog({ dir, secrets: noSecrets });
    expect(b.list()).toEqual(a.list());
  });

  it('rotates by size, keeps N rotated files, and reloads across them in order', () => {
    const dir = tempDir();
    const log = createAuditLog({ dir, secrets: noSecrets, maxFileBytes: 1000, maxRotated: 2 });
    for (let i = 0; i < 40; i++) log.append(entry(i));
    expect(readdirSync(dir).sort()).toEqual(['audit.1.jsonl', 'audit.2.jsonl', 'audit.jsonl']);
    for (const f of readdirSync(dir)) expect(readFileSync(path.join(dir, f)).length).toBeLessThanOrEqual(1000);
    const reloaded = createAuditLog({ dir, secrets: noSecrets }).list(10_000);
    const times = reloaded.map((e) => e.time);
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(reloaded[0]!.durationMs).toBe(12 + 39);
    expect(reloaded.length).toBeLessThan(40);
  });

  it('reports unreadable lines with file:line and keeps the rest', () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.jsonl');
    writeFileSync(file, JSON.stringify(entry(1)) + '\n');
    appendFileSync(file, '{"time": "yesterday"}\nnot json\n' + JSON.stringify(entry(2)) + '\n');
    const problems: string[] = [];
    const log = createAuditLog({ dir, secrets: noSecrets, onProblem: (m) => problems.push(m) });
    expect(log.list().map((e) => e.durationMs)).toEqual([14, 13]);
    expect(problems).toEqual([`${file}:2: not an audit entry, skipped`, `${file}:3: not an audit entry, skipped`]);
  });

  it('accepts the SSH layer\'s entries (ISO time) through its sink', () => {
    const log = createAuditLog({ secrets: noSecrets });
    log.sink({ time: '2025-01-02T03:04:05.678Z', host: 'director', argv: ['true'], code: 0, durationMs: 1, outputExcerpt: '' });
    expect(log.list()[0]!.time).toBe(Date.parse('2025-01-02T03:04:05.678Z'));
  });

  it('tells reads from changes: a command run inside asChange is part of that change, by whom; others are reads', async () => {
    const log = createAuditLog({ secrets: { knownValues: () => ['hunter22'] }, by: 'alice' });
    const exec = async (argv: string[]) => {
      await new Promise((r) => setTimeout(r, 1)); // the sink runs after awaits, as the SSH session's does
      log.sink({ time: new Date().toISOString(), host: 'director', argv, code: 0, durationMs: 1, outputExcerpt: '' });
    };
    await exec(['ipvsadm', '-S', '-n']);
    await Promise.all([asChange('start (Lab hunter22)', async () => exec(['sh', '-c', 'apply'])), exec(['ipvsadm', '-L', '-n'])]);
    const [poll, change, first] = log.list();
    expect(first).toMatchObject({ argv: ['ipvsadm', '-S', '-n'], kind: 'read', by: 'alice' });
    expect(first!.operation).toBeUndefined();
    expect(change).toMatchObject({ argv: ['sh', '-c', 'apply'], kind: 'change', operation: `start (Lab ${MASK})`, by: 'alice' });
    // Concurrent with the change but not inside it: still a read.
    expect(poll).toMatchObject({ argv: ['ipvsadm', '-L', '-n'], kind: 'read' });
  });

  it('exports CSV (RFC 4180, shell-quoted command) and JSON, oldest first', () => {
    const log = createAuditLog({ secrets: noSecrets, by: 'admin' });
    log.append(entry(1, { argv: ['ip', 'addr', 'add', '10.77.0.100/24', 'dev', 'eth0', 'label', 'eth0:110'], kind: 'change', operation: 'start (Lab)' }));
    log.append(entry(2, { argv: ['sh', '-c', "echo 'a, \"b\"'"], code: null, outputExcerpt: 'line1\nline2, "quoted"' }));
    const rows = parseCsv(log.export('csv'));
    expect(rows[0]).toEqual(['time', 'host', 'command', 'exit_code', 'duration_ms', 'output_excerpt', 'kind', 'operation', 'by']);
    expect(rows[1]).toEqual([new Date(entry(1).time).toISOString(), 'director 10.77.0.2', 'ip addr add 10.77.0.100/24 dev eth0 label eth0:110', '0', '13', "'-A -t 10.77.0.100:23 -s rr #1", 'change', 'start (Lab)', 'admin']); // the excerpt starts with '-': a spreadsheet would compute it (shared/csv.ts)
    expect(rows[2]!.slice(6)).toEqual(['read', '', 'admin']);
    expect(rows[2]![2]).toBe(`sh -c 'echo '\\''a, "b"'\\'''`);
    expect(rows[2]![3]).toBe('');
    expect(rows[2]![5]).toBe('line1\nline2, "quoted"');
    const json = JSON.parse(log.export('json')) as AuditEntry[];
    expect(json.map((e) => e.durationMs)).toEqual([13, 14]);
  });
});

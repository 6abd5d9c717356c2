/**
 * The audit log of every remote command: time, host, argv, exit code, duration, a ≤ 2 KB output excerpt, and whether it
 * was a read or part of a change (which one, by whom: audit-context.ts), with known
 * secret values masked before anything is kept. The newest `maxEntries` stay in memory; with a folder they are also
 * appended to audit.jsonl, which rotates to audit.1.jsonl … audit.N.jsonl by size. Exports as CSV (RFC 4180) or JSON.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { auditEntrySchema } from '../../shared/api/contract.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import type { AuditEntry as SshAuditEntry, AuditSink } from '../ssh/types.ts';
import { currentChange, desktopUser } from './audit-context.ts';
import { toCsv } from './csv.ts';
import { excerpt } from './excerpt.ts';
import { scrubArgv, scrubText } from './scrub.ts';

/** One audit entry as the contract defines it (time in ms since epoch). */
export type AuditEntry = z.output<typeof auditEntrySchema>;

/** Where the secrets to mask come from (SecretStore.knownValues). */
export interface ScrubSource {
  knownValues(): string[];
}

/** Options for createAuditLog. */
export interface AuditLogOptions {
  /** Folder for audit.jsonl and its rotations; omit for memory only (tests, one-shot CLI). */
  dir?: string;
  secrets: ScrubSource;
  /** Entries kept in memory (and returned by list/export). Default 10,000. */
  maxEntries?: number;
  /** Rotate audit.jsonl when it would grow past this. Default 4 MiB. */
  maxFileBytes?: number;
  /** Rotated files kept besides audit.jsonl. Default 4. */
  maxRotated?: number;
  /** Hears every stored (scrubbed) entry, e.g. to push the 'audit.entry' event. */
  onAppend?(entry: AuditEntry): void;
  /** Hears lines of the audit files that could not be read back (file:line: why). */
  onProblem?(message: string): void;
  /** Who runs the commands (default: this desktop's user name). */
  by?: string;
}

/** The audit log. */
export interface AuditLog {
  /** Scrubs, bounds and stores an entry; returns what was stored. */
  append(entry: AuditEntry): AuditEntry;
  /** An AuditSink for the SSH layer (its entries carry an ISO time). */
  readonly sink: AuditSink;
  /** The newest `limit` entries, newest first. */
  list(limit?: number): AuditEntry[];
  /** Every entry in memory, oldest first, as CSV or JSON text. */
  export(format: 'csv' | 'json'): string;
  /** The current JSONL file, or undefined when memory only. */
  readonly file: string | undefined;
}

const FILE = 'audit.jsonl';

/** argv as one readable, copy-pasteable command line (shellQuote), or JSON when it cannot be quoted. */
function commandText(argv: string[]): string {
  if (argv.length === 0) return '';
  try {
    return shellQuote(argv);
  } catch {
    return JSON.stringify(argv);
  }
}

/** Opens (or creates) the audit log. */
export function createAuditLog(opts: AuditLogOptions): AuditLog {
  const maxEntries = opts.maxEntries ?? 10_000;
  const maxFileBytes = opts.maxFileBytes ?? 4 * 1024 * 1024;
  const maxRotated = opts.maxRotated ?? 4;
  const file = opts.dir ? path.join(opts.dir, FILE) : undefined;
  const rotated = (i: number) => path.join(opts.dir!, `audit.${i}.jsonl`);
  let entries: AuditEntry[] = [];
  let fileBytes = 0;

  const trim = () => {
    if (entries.length > maxEntries + Math.max(16, maxEntries >> 4)) entries = entries.slice(-maxEntries);
  };

  if (file && opts.dir) {
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    for (const f of [...Array.from({ length: maxRotated }, (_, k) => rotated(maxRotated - k)), file]) {
      if (!existsSync(f)) continue;
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (line.trim() === '') return;
          let parsed: ReturnType<typeof auditEntrySchema.safeParse> | undefined;
          try {
            parsed = auditEntrySchema.safeParse(JSON.parse(line));
          } catch {
            parsed = undefined;
          }
          if (parsed?.success) entries.push(parsed.data);
          else opts.onProblem?.(`${f}:${i + 1}: not an audit entry, skipped`);
        });
      trim();
    }
    entries = entries.slice(-maxEntries);
    fileBytes = existsSync(file) ? statSync(file).size : 0;
  }

  const rotate = () => {
    rmSync(rotated(maxRotated), { force: true });
    for (let i = maxRotated - 1; i >= 1; i--) if (existsSync(rotated(i))) renameSync(rotated(i), rotated(i + 1));
    if (maxRotated >= 1) renameSync(file!, rotated(1));
    else rmSync(file!, { force: true });
    fileBytes = 0;
  };

  const by = opts.by ?? desktopUser();
  const append = (entry: AuditEntry): AuditEntry => {
    const secrets = opts.secrets.knownValues();
    // A read or part of a change: the caller says so, else the change this command runs inside (audit-context.ts).
    const operation = entry.kind ? entry.operation : currentChange();
    const kind = entry.kind ?? (operation !== undefined ? 'change' : 'read');
    const clean: AuditEntry = auditEntrySchema.parse({
      time: entry.time,
      host: scrubText(entry.host, secrets),
      argv: scrubArgv(entry.argv, secrets),
      code: entry.code,
      durationMs: entry.durationMs,
      outputExcerpt: excerpt(scrubText(entry.outputExcerpt, secrets)),
      kind,
      ...(operation !== undefined ? { operation: scrubText(operation, secrets).slice(0, 200) } : {}),
      ...((entry.by ?? by) ? { by: (entry.by ?? by)!.slice(0, 200) } : {}),
    });
    entries.push(clean);
    trim();
    if (file) {
      const line = JSON.stringify(clean) + '\n';
      const n = Buffer.byteLength(line, 'utf8');
      if (fileBytes > 0 && fileBytes + n > maxFileBytes) rotate();
      appendFileSync(file, line, { mode: 0o600 });
      fileBytes += n;
    }
    opts.onAppend?.(clean);
    return clean;
  };

  const current = () => entries.slice(-maxEntries);

  return {
    file,
    append,
    sink: (e: SshAuditEntry) => {
      const t = Date.parse(e.time);
      append({ time: Number.isNaN(t) ? Date.now() : t, host: e.host, argv: e.argv, code: e.code, durationMs: e.durationMs, outputExcerpt: e.outputExcerpt });
    },
    list(limit = 500) {
      const all = current();
      return all.slice(Math.max(0, all.length - Math.max(0, limit))).reverse();
    },
    export(format) {
      const all = current();
      if (format === 'json') return JSON.stringify(all, null, 2) + '\n';
      return toCsv(
        ['time', 'host', 'command', 'exit_code', 'duration_ms', 'output_excerpt', 'kind', 'operation', 'by'],
        all.map((e) => [new Date(e.time).toISOString(), e.host, commandText(e.argv), e.code, e.durationMs, e.outputExcerpt, e.kind ?? 'read', e.operation ?? '', e.by ?? '']),
      );
    },
  };
}

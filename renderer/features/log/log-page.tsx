/**
 * Log: the audit log of every remote command (audit.list, then live audit.entry events) and the app's own events
 * (app.log since start), filterable, with export (audit.export as CSV or JSON). Changes and reads are told apart: a
 * change says which operation it was part of and who ran it, the kind filter shows changes or reads alone, and runs of
 * reads (status polls, checks) are folded into one line until opened.
 */
import { useEffect, useMemo, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState } from '../../app/app-state.tsx';
import { downloadText, fileStamp } from '../../app/download.ts';
import { ErrorBox } from '../../app/error-box.tsx';
import { dateTime } from '../../app/format.ts';
import { TableScroll } from '../../app/table-scroll.tsx';
import { useQuery } from '../../app/use-query.ts';

type Entry = MethodOutput<'audit.list'>[number];
type KindFilter = 'all' | 'change' | 'read';
const LIMIT = 500;
const OUTPUT_LINES = 4;

/** A row of the table: one entry, or a fold of consecutive reads. */
export type LogRow = { kind: 'entry'; entry: Entry } | { kind: 'reads'; key: string; entries: Entry[] };

/** Consecutive reads (2 or more) become one fold; changes stay rows of their own. Entries newest first. */
export function foldReads(entries: readonly Entry[]): LogRow[] {
  const out: LogRow[] = [];
  let run: Entry[] = [];
  const flush = () => {
    if (run.length === 1) out.push({ kind: 'entry', entry: run[0]! });
    else if (run.length > 1) out.push({ kind: 'reads', key: `${run[0]!.time}-${run.length}-${out.length}`, entries: run });
    run = [];
  };
  for (const e of entries) {
    if ((e.kind ?? 'read') === 'read') run.push(e);
    else {
      flush();
      out.push({ kind: 'entry', entry: e });
    }
  }
  flush();
  return out;
}

/** Command output shortened to its first lines, with a button to see all of it (no scrolling box inside the table). */
function Output({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const lines = text.split('\n');
  if (!text) return <span className="muted">–</span>;
  const long = lines.length > OUTPUT_LINES;
  return (
    <>
      <pre className="excerpt">{open || !long ? text : `${lines.slice(0, OUTPUT_LINES).join('\n')}…`}</pre>
      {long && (
        <button type="button" className="link small" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'less' : `all ${lines.length} lines`}
        </button>
      )}
    </>
  );
}

const CLAMP = 160;

/** A long command shown shortened, with a button to see all of it. */
function Clamp({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  if (text.length <= CLAMP) return <code>{text}</code>;
  return (
    <>
      <code>{open ? text : `${text.slice(0, CLAMP)}…`}</code>{' '}
      <button type="button" className="link small" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'less' : `all ${text.length} characters`}
      </button>
    </>
  );
}

/** The Log screen. */
export function LogPage() {
  const api = useApi();
  const { appLog } = useAppState();
  const audit = useQuery('audit.list', { limit: LIMIT });
  const [live, setLive] = useState<Entry[]>([]);
  const [tab, setTab] = useState<'audit' | 'app'>('audit');
  const [filter, setFilter] = useState('');
  const [kind, setKind] = useState<KindFilter>('all');
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<AppErrorData>();

  useEffect(() => api.on('audit.entry', (e) => setLive((l) => [e, ...l].slice(0, LIMIT))), [api]);
  useEffect(() => {
    setLive([]);
  }, [audit.data]);

  const entries = useMemo(() => {
    const all = [...live, ...[...(audit.data ?? [])].sort((a, b) => b.time - a.time)].slice(0, LIMIT);
    const f = filter.trim().toLowerCase();
    return all.filter((e) => (kind === 'all' || (e.kind ?? 'read') === kind) && (!f || `${e.host} ${e.argv.join(' ')} ${e.outputExcerpt} ${e.operation ?? ''} ${e.by ?? ''}`.toLowerCase().includes(f)));
  }, [audit.data, live, filter, kind]);
  const rows = useMemo(() => (kind === 'all' ? foldReads(entries) : entries.map((entry): LogRow => ({ kind: 'entry', entry }))), [entries, kind]);
  const changes = entries.filter((e) => e.kind === 'change').length;
  const appEntries = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const all = [...appLog].reverse();
    return f ? all.filter((e) => e.message.toLowerCase().includes(f)) : all;
  }, [appLog, filter]);

  const exportAudit = async (format: 'csv' | 'json') => {
    const r = await api.call('audit.export', { format });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    downloadText(`lvs-console-audit-${fileStamp()}.${format}`, r.value.text, format === 'csv' ? 'text/csv' : 'application/json');
  };

  return (
    <section aria-labelledby="log-h">
      <div className="toolbar">
        <h1 id="log-h" tabIndex={-1}>
          Log
        </h1>
        <span className="spacer" />
        <input className="search" type="search" placeholder="Filter (host, command, output)" aria-label="Filter the log" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <button type="button" onClick={() => void exportAudit('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => void exportAudit('json')}>
          Export JSON
        </button>
      </div>
      <div className="tabs" role="tablist" aria-label="Log kind">
        <button type="button" role="tab" aria-selected={tab === 'audit'} onClick={() => setTab('audit')}>
          Remote commands ({entries.length})
        </button>
        <button type="button" role="tab" aria-selected={tab === 'app'} onClick={() => setTab('app')}>
          App events ({appEntries.length})
        </button>
      </div>
      <ErrorBox error={audit.error} context="Loading the audit log" onRetry={audit.reload} />
      <ErrorBox error={error} context="Exporting" />
      {tab === 'audit' && (
        <>
          <div className="segmented" role="radiogroup" aria-label="Which commands">
            {(
              [
                ['all', 'All (reads folded)'],
                ['change', 'Changes only'],
                ['read', 'Reads only'],
              ] as const
            ).map(([k, label]) => (
              <label key={k} className={k === kind ? 'on' : undefined}>
                <input type="radio" name="log-kind" value={k} checked={k === kind} onChange={() => setKind(k)} />
                {label}
              </label>
            ))}
          </div>
          <p className="muted small" data-testid="log-summary">
            {entries.length} command{entries.length === 1 ? '' : 's'} shown, {changes} of them part of a change. A change names what it was and who ran it; reads
            (status polls, checks, previews) change nothing.
          </p>
          <TableScroll label="Remote commands" focusable>
            <table className="table log-table" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">What</th>
                  <th scope="col">Host</th>
                  <th scope="col">Command</th>
                  <th scope="col" className="numeric">
                    Exit
                  </th>
                  <th scope="col" className="numeric">
                    ms
                  </th>
                  <th scope="col">Output</th>
                </tr>
              </thead>
              <tbody>
                {rows.length === 0 && (
                  <tr>
                    <td colSpan={7} className="muted">
                      {audit.loading ? 'Loading…' : kind === 'change' ? 'No changes in this log yet.' : 'No remote commands yet. Everything LVS Console runs on a host is listed here.'}
                    </td>
                  </tr>
                )}
                {rows.map((r, i) => {
                  if (r.kind === 'entry') return <EntryRow key={`${r.entry.time}-${i}`} e={r.entry} />;
                  const isOpen = open.has(r.key);
                  const first = r.entries[r.entries.length - 1]!;
                  const last = r.entries[0]!;
                  const hosts = [...new Set(r.entries.map((e) => e.host))];
                  return (
                    <FoldRows
                      key={r.key}
                      open={isOpen}
                      summary={`${r.entries.length} reads`}
                      detail={`${dateTime(first.time)} – ${dateTime(last.time).slice(11)} · ${hosts.slice(0, 3).join(', ')}${hosts.length > 3 ? ` and ${hosts.length - 3} more` : ''}`}
                      failed={r.entries.filter((e) => e.code !== 0).length}
                      onToggle={() =>
                        setOpen((o) => {
                          const n = new Set(o);
                          if (n.has(r.key)) n.delete(r.key);
                          else n.add(r.key);
                          return n;
                        })
                      }
                      entries={r.entries}
                    />
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
      {tab === 'app' && (
        <ul className="app-log" data-testid="app-log">
          {appEntries.length === 0 && <li className="muted">No app events since this window opened.</li>}
          {appEntries.map((e, i) => (
            <li key={i} className={`level-${e.level}`}>
              <span className="nowrap">{dateTime(e.time)}</span> <span className={`tag tag-${e.level}`}>{e.level}</span> {e.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One audited command. */
function EntryRow({ e }: { e: Entry }) {
  const change = e.kind === 'change';
  return (
    <tr className={`${e.code === 0 ? '' : 'failed'}${change ? ' change' : ''}`.trim() || undefined} data-kind={e.kind ?? 'read'}>
      <td className="nowrap">{dateTime(e.time)}</td>
      <td>
        {change ? (
          <>
            <span className="tag tag-change">change</span> <strong>{e.operation}</strong>
            {e.by && <div className="muted small">by {e.by}</div>}
          </>
        ) : (
          <span className="tag">read</span>
        )}
      </td>
      <td>{e.host}</td>
      <td>
        <Clamp text={e.argv.join(' ')} />
      </td>
      <td className="numeric">{e.code ?? '–'}</td>
      <td className="numeric">{Math.round(e.durationMs)}</td>
      <td className="output-cell">
        <Output text={e.outputExcerpt} />
      </td>
    </tr>
  );
}

/** A fold of consecutive reads: one line, or (open) its entries. */
function FoldRows({ open, summary, detail, failed, onToggle, entries }: { open: boolean; summary: string; detail: string; failed: number; onToggle: () => void; entries: Entry[] }) {
  return (
    <>
      <tr className="fold" data-kind="reads">
        <td colSpan={7}>
          <button type="button" className="link" aria-expanded={open} onClick={onToggle}>
            {open ? '▾' : '▸'} {summary}
          </button>{' '}
          <span className="muted small">
            {detail}
            {failed ? ` · ${failed} failed` : ''}
          </span>
        </td>
      </tr>
      {open && entries.map((e, i) => <EntryRow key={`${e.time}-${i}`} e={e} />)}
    </>
  );
}

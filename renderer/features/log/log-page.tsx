/**
 * Log: the audit log of every remote command (audit.list, then live audit.entry events) and the app's own events
 * (app.log since start), filterable, with export (audit.export as CSV or JSON).
 */
import { useEffect, useMemo, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState } from '../../app/app-state.tsx';
import { downloadText, fileStamp } from '../../app/download.ts';
import { ErrorBox } from '../../app/error-box.tsx';
import { dateTime } from '../../app/format.ts';
import { useQuery } from '../../app/use-query.ts';

type Entry = MethodOutput<'audit.list'>[number];
const LIMIT = 500;

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
  const [error, setError] = useState<AppErrorData>();

  useEffect(() => api.on('audit.entry', (e) => setLive((l) => [e, ...l].slice(0, LIMIT))), [api]);
  useEffect(() => {
    setLive([]);
  }, [audit.data]);

  const entries = useMemo(() => {
    const all = [...live, ...[...(audit.data ?? [])].sort((a, b) => b.time - a.time)].slice(0, LIMIT);
    const f = filter.trim().toLowerCase();
    return f ? all.filter((e) => `${e.host} ${e.argv.join(' ')} ${e.outputExcerpt}`.toLowerCase().includes(f)) : all;
  }, [audit.data, live, filter]);
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
        <table className="table log-table" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
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
            {entries.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  {audit.loading ? 'Loading…' : 'No remote commands yet. Everything LVS Console runs on a host is listed here.'}
                </td>
              </tr>
            )}
            {entries.map((e, i) => (
              <tr key={`${e.time}-${i}`} className={e.code === 0 ? undefined : 'failed'}>
                <td className="nowrap">{dateTime(e.time)}</td>
                <td>{e.host}</td>
                <td>
                  <Clamp text={e.argv.join(' ')} />
                </td>
                <td className="numeric">{e.code ?? '–'}</td>
                <td className="numeric">{Math.round(e.durationMs)}</td>
                <td className="output-cell">{e.outputExcerpt ? <pre className="excerpt">{e.outputExcerpt}</pre> : <span className="muted">–</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
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

/**
 * Diagnose: the doctor (doctor.run) walks the whole path — this desktop → VIP → director(s) → realservers → login screen —
 * in one run and lists each finding at its root: what is wrong, why it matters (the seed's reason) and, where the
 * console has one, a fix that is previewed first (doctor.previewFix: the exact commands), run on Confirm exactly as
 * shown (doctor.runFix with the preview's fingerprint), and checked by running the doctor again.
 */
import { useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState } from '../../app/app-state.tsx';
import { Dialog } from '../../app/dialog.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { NeedCluster } from '../../app/need-cluster.tsx';
import { useQuery } from '../../app/use-query.ts';

type Report = MethodOutput<'doctor.run'>;
type Finding = Report['findings'][number];
type Preview = MethodOutput<'doctor.previewFix'>;
type FixOutcome = MethodOutput<'doctor.runFix'>;

/** The Diagnose screen. */
export function DiagnosePage() {
  const { selected } = useAppState();
  if (!selected) return <NeedCluster title="Diagnose" />;
  return <Diagnose key={selected.id} />;
}

const SUBJECT: Record<Finding['subject']['kind'], string> = { desktop: 'This desktop', director: 'Director', realserver: 'Realserver', cluster: 'Cluster' };

function Diagnose() {
  const api = useApi();
  const cluster = useAppState().selected!;
  const run = useQuery('doctor.run', { clusterId: cluster.id });
  const [after, setAfter] = useState<Report>();
  const report = after ?? run.data;
  const [fix, setFix] = useState<{ finding: Finding; preview?: Preview; outcome?: FixOutcome; error?: AppErrorData; running?: boolean }>();

  const again = () => {
    setAfter(undefined);
    run.reload();
  };
  const previewFix = async (finding: Finding) => {
    setFix({ finding });
    const r = await api.call('doctor.previewFix', { clusterId: cluster.id, key: finding.key });
    setFix(r.ok ? { finding, preview: r.value } : { finding, error: r.error });
  };
  const applyFix = async () => {
    if (!fix?.preview) return;
    setFix({ ...fix, running: true });
    const r = await api.call('doctor.runFix', { clusterId: cluster.id, key: fix.finding.key, fingerprint: fix.preview.fingerprint });
    if (r.ok) {
      setFix({ finding: fix.finding, preview: fix.preview, outcome: r.value });
      setAfter(r.value.after);
    } else setFix({ finding: fix.finding, preview: fix.preview, error: r.error });
  };

  const errors = report?.findings.filter((f) => f.severity === 'error') ?? [];
  const warnings = report?.findings.filter((f) => f.severity === 'warning') ?? [];
  return (
    <section aria-labelledby="dx-h">
      <div className="toolbar">
        <h1 id="dx-h" tabIndex={-1}>
          Diagnose <span className="muted">· {cluster.name}</span>
        </h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={again} disabled={run.loading}>
          {run.loading ? 'Checking…' : 'Run the doctor again'}
        </button>
      </div>
      <p className="muted">
        One run checks every link from this desktop to a login screen: the VIP, a telnet banner and an XDMCP Willing through it, an X server and a
        telnet client here; on the director IPVS, the VIP, forwarding, redirects, the table against the profile and its runtime; on every
        realserver its routes (now and at boot), its display manager and telnet, and whether the director reaches them.
      </p>
      <ErrorBox error={run.error} context="Running the doctor" onRetry={again} />
      {run.loading && !report && <p className="muted">Checking the director, {cluster.realservers.length} realserver(s) and this desktop…</p>}
      {report && (
        <>
          <p data-testid="doctor-summary">
            {report.findings.length === 0 ? (
              <span className="health health-up">No finding: every link of the path is as the profile says.</span>
            ) : (
              <span className="health health-down">
                {errors.length} error(s), {warnings.length} warning(s)
              </span>
            )}{' '}
            <span className="muted small">
              {report.checked.directors.length} director(s), {report.checked.realservers.length} realserver(s){report.checked.desktop ? ', this desktop' : ''} checked in{' '}
              {(report.durationMs / 1000).toFixed(1)} s at {new Date(report.observedAt).toLocaleTimeString()}
            </span>
          </p>
          {report.findings.length > 0 && (
            <ol className="findings" data-testid="findings">
              {report.findings.map((f) => (
                <li key={f.key} data-finding={f.id} data-key={f.key} className={`finding finding-${f.severity}`}>
                  <div>
                    <span className={`health health-${f.severity === 'error' ? 'down' : 'unknown'}`}>{f.severity}</span>{' '}
                    <strong>
                      {SUBJECT[f.subject.kind]} {f.subject.kind === 'desktop' ? '' : f.subject.name}
                    </strong>
                    : {f.what}
                  </div>
                  <div className="muted">Why it matters: {f.why}</div>
                  {f.explains && f.explains.length > 0 && (
                    <ul className="problems">
                      {f.explains.map((e, i) => (
                        <li key={i}>also explains: {e}</li>
                      ))}
                    </ul>
                  )}
                  {f.fix ? (
                    <button type="button" className="primary" onClick={() => void previewFix(f)}>
                      Fix…
                    </button>
                  ) : (
                    <div className="muted small">No fix the console can run: see why.</div>
                  )}
                </li>
              ))}
            </ol>
          )}
          {report.notes.map((n, i) => (
            <p key={i} className="muted small">
              Note: {n}
            </p>
          ))}
        </>
      )}
      <Dialog
        open={fix !== undefined}
        wide
        title={fix ? `Fix: ${fix.finding.what}` : ''}
        onClose={() => setFix(undefined)}
        actions={
          fix?.preview && !fix.outcome ? (
            <>
              <button type="button" onClick={() => setFix(undefined)} autoFocus>
                Cancel
              </button>
              <button type="button" className="primary" disabled={fix.running} onClick={() => void applyFix()}>
                {fix.running ? 'Applying…' : 'Confirm and apply'}
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setFix(undefined)} autoFocus>
              Close
            </button>
          )
        }
      >
        {fix && !fix.preview && !fix.error && <p className="muted">Planning…</p>}
        {fix?.preview && !fix.outcome && (
          <>
            <p>
              These commands will run ({fix.preview.via}). Nothing has run yet.
            </p>
            <ol className="plan" data-testid="fix-commands">
              {fix.preview.commands.map((c, i) => (
                <li key={i}>
                  <pre className="command">{c}</pre>
                </li>
              ))}
            </ol>
          </>
        )}
        {fix?.outcome && (
          <div data-testid="fix-outcome">
            <p className="notice">{fix.outcome.gone ? 'Fixed: the doctor ran again and no longer finds it.' : 'The doctor ran again and still finds it.'}</p>
            <ol className="plan">
              {fix.outcome.ran.map((c, i) => (
                <li key={i}>
                  <pre className="command">{c}</pre>
                </li>
              ))}
            </ol>
          </div>
        )}
        <ErrorBox error={fix?.error} />
      </Dialog>
    </section>
  );
}

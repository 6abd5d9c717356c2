/**
 * When the Director page shows an error, the profile's own checks (clusters.check: names that do not resolve here, a
 * key file that is not there, the VIP off the director's subnet) often name the real cause; this note lists what they
 * find, in the form's words, with a link to fix it.
 */
import { useEffect, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { Cluster } from '../../../shared/model/cluster.ts';
import { useApi } from '../../app/api-context.tsx';
import { fieldLabel } from '../clusters/field-labels.ts';

type Problem = MethodOutput<'clusters.check'>['problems'][number];

/** Runs the profile checks while `active` (an error is shown) and lists what they found. */
export function ProfileCheckNote({ cluster, active }: { cluster: Cluster; active: boolean }) {
  const api = useApi();
  const [problems, setProblems] = useState<Problem[]>([]);
  useEffect(() => {
    if (!active) return setProblems([]);
    let gone = false;
    void api.call('clusters.check', { cluster }, { interactive: false }).then((r) => !gone && setProblems(r.ok ? r.value.problems : []));
    return () => void (gone = true);
  }, [api, cluster, active]);
  if (!active || problems.length === 0) return null;
  return (
    <div className="notice notice-warn" role="status" data-testid="profile-check-note">
      <p>
        <strong>The profile itself has {problems.length === 1 ? 'a problem' : `${problems.length} problems`}</strong> that may be the cause:
      </p>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>
            <strong>{fieldLabel(p.path)}</strong>: {p.message}
          </li>
        ))}
      </ul>
      <p className="small">
        Fix {problems.length === 1 ? 'it' : 'them'} on the <a href="#/clusters">Clusters</a> screen (Edit), then try again.
      </p>
    </div>
  );
}

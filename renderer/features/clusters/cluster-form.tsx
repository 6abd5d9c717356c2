/**
 * Add / edit one cluster profile. Mistakes are caught where they are made:
 * - as you type: every change re-validates the draft with the shared clusterSchema (a field's message shows once it was
 *   touched, all of them after a save attempt), plus offline warnings (the VIP outside the director's subnet when both
 *   are addresses); messages name fields the form's way ("Realserver 2: host"), never code paths;
 * - on save: the checks that need this machine (clusters.check: names that do not resolve, a key file that does not
 *   exist or cannot be read, the VIP off the director's subnet once resolved), each named, with "Save anyway".
 * "Fill from an lvs.conf file…" fills what the file says and keeps the rest, listing what is still missing. A key file
 * is chosen with Browse… where the main side has a native dialog (Electron); the text field stays everywhere. Leaving
 * with unsaved changes asks first (leave-guard.tsx). Passwords go to secrets.set; only their references are saved.
 */
import { useEffect, useMemo, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import { SCHEDULERS } from '../../../shared/model/cluster.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import type { Cluster } from '../../../shared/model/cluster.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState } from '../../app/app-state.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { focusWhenReady } from '../../app/focus.ts';
import { CheckField, FileButton, SelectField, TextField } from '../../app/fields.tsx';
import { useUnsavedChanges } from '../../app/leave-guard.tsx';
import { fieldLabel } from './field-labels.ts';
import {
  appendAt,
  getAt,
  idFromName,
  importBase,
  labelOfKey,
  mergeImport,
  numberish,
  offlineWarnings,
  pathKey,
  portish,
  removeAt,
  secretRefFor,
  setAt,
  validateDraft,
  type Draft,
  type Path,
} from './form-model.ts';

/** Props of ClusterForm. */
export interface ClusterFormProps {
  initial: Draft;
  mode: 'new' | 'edit';
  /** Messages from an lvs.conf import to show above the form. */
  warnings?: string[] | undefined;
  onSaved: (c: Cluster) => void;
  onCancel: () => void;
}

type Problem = MethodOutput<'clusters.check'>['problems'][number];

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const AUTH_METHODS = [
  { value: 'agent', label: 'SSH agent (Pageant / OpenSSH agent)' },
  { value: 'key', label: 'Private key file' },
  { value: 'password', label: 'Password' },
  { value: 'keyboard-interactive', label: 'Keyboard-interactive (password prompt)' },
];
const CHECK_NAME: Record<Problem['check'], string> = { resolve: 'name lookup', 'key-file': 'key file', 'vip-subnet': 'VIP subnet' };

/** The cluster profile form. */
export function ClusterForm({ initial, mode, warnings, onSaved, onCancel }: ClusterFormProps) {
  const api = useApi();
  const { info } = useAppState();
  const [draft, setDraft] = useState<Draft>(initial);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [secrets, setSecrets] = useState({ password: '', passphrase: '', sudo: '' });
  const [stored, setStored] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<{ error: AppErrorData; context: string }>();
  const [notes, setNotes] = useState<string[]>(warnings ?? []);
  const [phase, setPhase] = useState<'editing' | 'checking' | 'saving'>('editing');
  /** What the save-time checks found (with the draft they were run on): shown until the draft changes. */
  const [checked, setChecked] = useState<{ draft: Draft; problems: Problem[] }>();
  const validation = useMemo(() => validateDraft(draft), [draft]);
  const offline = useMemo(() => offlineWarnings(draft), [draft]);

  const authMethod = str(getAt(draft, ['director', 'auth', 'method'])) || 'agent';
  const pairOn = getAt(draft, ['pair']) !== undefined;
  const pairAuth = str(getAt(draft, ['pair', 'director', 'auth', 'method'])) || 'agent';
  /** A director pair on or off: on, keepalived runs it (VRRP), with the second director reached like the first. */
  const setPair = (on: boolean) => {
    setDraft((d) => {
      if (!on) return setAt(d, ['pair'], undefined);
      const first = (getAt(d, ['director']) ?? {}) as Record<string, unknown>;
      const auth = (first.auth as { method?: string; keyPath?: string } | undefined) ?? { method: 'agent' };
      const withPair = setAt(d, ['pair'], { director: { host: '', user: str(first.user) || 'root', auth: auth.method === 'key' ? { method: 'key', keyPath: str(auth.keyPath) } : { method: 'agent' } }, gateway: '' });
      return setAt(withPair, ['runtime'], 'keepalived');
    });
    setTouched((t) => new Set(t).add('pair'));
  };
  const sudoOn = getAt(draft, ['director', 'sudo']) !== undefined;
  const id = str(draft.id);
  const dirty = draft !== initial || Object.values(secrets).some(Boolean);
  useUnsavedChanges(dirty, mode === 'new' ? 'The new cluster' : `The cluster ${str(initial.name) || id}`);

  // Which secrets are already stored (never their values).
  useEffect(() => {
    if (mode !== 'edit') return;
    for (const [what, path] of [
      ['password', ['director', 'auth', 'secretRef']],
      ['passphrase', ['director', 'auth', 'passphraseRef']],
      ['sudo', ['director', 'sudo', 'secretRef']],
    ] as const) {
      const ref = getAt(initial, path);
      if (typeof ref === 'string') void api.call('secrets.has', { ref }, { interactive: false }).then((r) => r.ok && setStored((s) => ({ ...s, [what]: r.value.present })));
    }
  }, [api, initial, mode]);

  const machine = checked && checked.draft === draft ? checked.problems : [];
  const err = (path: Path) => {
    const k = pathKey(path);
    return touched.has(k) || submitted ? validation.errors.get(k) : undefined;
  };
  const warn = (path: Path) => {
    const k = pathKey(path);
    const m = machine.find((p) => pathKey(p.path) === k);
    return m ? m.message : touched.has(k) || submitted ? offline.get(k) : undefined;
  };
  const set = (path: Path, value: unknown) => {
    setDraft((d) => setAt(d, path, value));
    setTouched((t) => new Set(t).add(pathKey(path)));
  };
  const text = (path: Path, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField label={label} field={pathKey(path)} value={str(getAt(draft, path))} error={err(path)} warning={warn(path)} onChange={(v) => set(path, v)} {...extra} />
  );
  const number = (path: Path, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField label={label} field={pathKey(path)} inputMode="numeric" value={str(getAt(draft, path))} error={err(path)} warning={warn(path)} onChange={(v) => set(path, numberish(v))} {...extra} />
  );

  const setAuth = (method: string) => {
    const ref = (what: 'password' | 'passphrase') => secretRefFor(id, what);
    const auth =
      method === 'key'
        ? { method, keyPath: str(getAt(draft, ['director', 'auth', 'keyPath'])) }
        : method === 'password' || method === 'keyboard-interactive'
          ? { method, secretRef: ref('password') }
          : { method: 'agent' };
    set(['director', 'auth'], auth);
  };

  const browseKey = async () => {
    const current = str(getAt(draft, ['director', 'auth', 'keyPath'])) || undefined;
    const r = await api.call('files.pickKeyFile', current ? { current } : {});
    if (!r.ok) return setError({ error: r.error, context: 'Choosing the key file' });
    if (r.value.path) set(['director', 'auth', 'keyPath'], r.value.path);
  };

  /** The file says what it says; everything else stays as the form had it. Lists what is still missing. */
  const importFile = async (text: string, file: string) => {
    const r = await api.call('clusters.importConf', { source: 'text', text, file, base: importBase(draft) });
    if (!r.ok) return setError({ error: r.error, context: `Reading ${file}` });
    setError(undefined);
    const fields = r.value.fields ?? Object.keys(r.value.cluster as Draft);
    const merged = mergeImport(draft, r.value.cluster as Draft, fields);
    setDraft(merged);
    setTouched(new Set());
    setSubmitted(false);
    const still = validateDraft(merged);
    const missing = still.ok ? [] : [...still.errors.keys()].map(labelOfKey);
    setNotes([
      `Filled from ${file}: ${fields.map((f) => fieldLabel([f])).join(', ') || 'nothing the form holds'}. The rest is as it was.`,
      ...r.value.warnings,
      missing.length ? `Still to fill in: ${missing.join(', ')}.` : 'Nothing is missing: review, then Save.',
    ]);
  };
  const importDirector = async () => {
    const r = await api.call('clusters.importConf', { source: 'director', clusterId: id });
    if (!r.ok) return setError({ error: r.error, context: 'Reading /etc/lvs.conf on the director' });
    setError(undefined);
    setDraft(r.value.cluster as Draft);
    setNotes(['Filled from /etc/lvs.conf on the director. Review, then Save.', ...r.value.warnings]);
  };

  /** Save: the offline validation, then the machine's checks (unless `anyway`), then the secrets and the profile. */
  const save = async (anyway = false) => {
    setSubmitted(true);
    if (!validation.ok) {
      // Move focus to the first field that needs fixing.
      focusWhenReady('.cluster-form .field-invalid input, .cluster-form .field-invalid select');
      return;
    }
    setError(undefined);
    let cluster = validation.cluster;
    if (!anyway) {
      setPhase('checking');
      const c = await api.call('clusters.check', { cluster });
      setPhase('editing');
      if (!c.ok) return setError({ error: c.error, context: 'Checking the profile' });
      if (c.value.problems.length || offline.size) {
        const offlineOnly = [...offline].filter(([k]) => !c.value.problems.some((p) => pathKey(p.path) === k)).map(([k, message]): Problem => ({ path: k.split('.'), check: 'vip-subnet', message }));
        setChecked({ draft, problems: [...c.value.problems, ...offlineOnly] });
        // Once React has drawn the panel (a frame may come before the commit under load: seen in CI).
        focusWhenReady('.cluster-form [data-testid="save-checks"]');
        return;
      }
    }
    setPhase('saving');
    // Secrets are stored under references named after the (final) id; the profile keeps only the references.
    const auth = cluster.director.auth;
    const puts: { ref: string; value: string }[] = [];
    if ((auth.method === 'password' || auth.method === 'keyboard-interactive') && secrets.password) {
      cluster = { ...cluster, director: { ...cluster.director, auth: { ...auth, secretRef: secretRefFor(cluster.id, 'password') } } };
      puts.push({ ref: secretRefFor(cluster.id, 'password'), value: secrets.password });
    }
    if (auth.method === 'key' && secrets.passphrase) {
      cluster = { ...cluster, director: { ...cluster.director, auth: { ...auth, passphraseRef: secretRefFor(cluster.id, 'passphrase') } } };
      puts.push({ ref: secretRefFor(cluster.id, 'passphrase'), value: secrets.passphrase });
    }
    if (cluster.director.sudo && secrets.sudo) {
      cluster = { ...cluster, director: { ...cluster.director, sudo: { secretRef: secretRefFor(cluster.id, 'sudo') } } };
      puts.push({ ref: secretRefFor(cluster.id, 'sudo'), value: secrets.sudo });
    }
    for (const p of puts) {
      const r = await api.call('secrets.set', p);
      if (!r.ok) {
        setPhase('editing');
        return setError({ error: r.error, context: 'Storing the password' });
      }
    }
    const r = await api.call('clusters.save', { cluster });
    setPhase('editing');
    if (!r.ok) return setError({ error: r.error, context: 'Saving the profile' });
    onSaved(r.value);
  };

  const invalidCount = validation.ok ? 0 : validation.errors.size;
  const services = (proto: 'tcp' | 'udp') => {
    const rows = (getAt(draft, [proto]) as unknown[] | undefined) ?? [];
    return (
      <fieldset className="rows">
        <legend>
          {proto.toUpperCase()} services {proto === 'tcp' ? '(TPORTS)' : '(UPORTS)'}
        </legend>
        {rows.map((_, i) => {
          const pers = getAt(draft, [proto, i, 'persistence']);
          const persText = pers === null ? '0' : pers && typeof pers === 'object' ? str((pers as { timeout?: unknown }).timeout) : '';
          return (
            <div className="row-fields" key={i}>
              <TextField label="Port / service" field={`${proto}.${i}.port`} value={str(getAt(draft, [proto, i, 'port']))} error={err([proto, i, 'port'])} onChange={(v) => set([proto, i, 'port'], portish(v))} />
              <SelectField
                label="Scheduler"
                field={`${proto}.${i}.scheduler`}
                value={str(getAt(draft, [proto, i, 'scheduler']))}
                options={[{ value: '', label: '(default)' }, ...SCHEDULERS]}
                onChange={(v) => set([proto, i, 'scheduler'], v || undefined)}
              />
              <TextField
                label="Persistence (s)"
                field={`${proto}.${i}.persistence`}
                value={persText}
                inputMode="numeric"
                hint="blank: default (360 s for xdmcp); 0: off"
                error={err([proto, i, 'persistence', 'timeout']) ?? err([proto, i, 'persistence'])}
                onChange={(v) => {
                  const n = numberish(v);
                  set([proto, i, 'persistence'], n === undefined ? undefined : n === 0 ? null : { timeout: n });
                }}
              />
              <button type="button" className="icon-button" aria-label={`Remove ${proto.toUpperCase()} service ${i + 1}`} onClick={() => setDraft((d) => removeAt(d, [proto], i))}>
                Remove
              </button>
            </div>
          );
        })}
        <button type="button" onClick={() => setDraft((d) => appendAt(d, [proto], { port: '' }))}>
          Add {proto.toUpperCase()} service
        </button>
      </fieldset>
    );
  };

  const realservers = (getAt(draft, ['realservers']) as unknown[] | undefined) ?? [];

  return (
    <form
      className="cluster-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="toolbar">
        <h1 tabIndex={-1}>{mode === 'new' ? 'Add a cluster' : `Edit ${str(draft.name) || id}`}</h1>
        <span className="spacer" />
        <FileButton label="Fill from an lvs.conf file…" onText={(t, n) => void importFile(t, n)} onError={(m) => setError({ error: { code: 'INVALID_INPUT', message: m }, context: 'Reading the lvs.conf file' })} />
        {mode === 'edit' && (
          <button type="button" onClick={() => void importDirector()}>
            Import /etc/lvs.conf from the director
          </button>
        )}
      </div>
      {notes.length > 0 && (
        <div className="notice" role="status" data-testid="form-notes">
          <ul>
            {notes.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      {error && <ErrorBox error={error.error} context={error.context} />}

      <fieldset>
        <legend>Cluster</legend>
        <div className="grid">
          <TextField
            label="Name"
            field="name"
            value={str(draft.name)}
            error={err(['name'])}
            onChange={(v) => {
              set(['name'], v);
              if (mode === 'new' && !touched.has('id')) setDraft((d) => setAt(setAt(d, ['name'], v), ['id'], idFromName(v)));
            }}
          />
          {text(['id'], 'Id', { disabled: mode === 'edit', hint: 'lowercase letters, digits and "-"; used in file and secret names' })}
          {text(['vip'], 'Virtual IP (VIP)', { placeholder: '10.0.0.50' })}
          {number(['vipPrefix'], 'VIP prefix length')}
          {text(['vipIf'], 'VIP alias interface (VIP_IF)', { placeholder: 'eth0:110' })}
          {text(['lvsIf'], 'LVS interface (LVS_IF)', { placeholder: 'eth0' })}
          <SelectField label="Scheduler" field="scheduler" value={str(draft.scheduler) || 'wlc'} options={SCHEDULERS} error={err(['scheduler'])} onChange={(v) => set(['scheduler'], v)} />
          <SelectField
            label="Forwarding"
            field="forwarding"
            value={str(draft.forwarding) || 'masq'}
            options={[
              { value: 'masq', label: 'NAT (masquerading, -m)' },
              { value: 'route', label: 'Direct routing (-g)' },
              { value: 'tunnel', label: 'IP tunnel (-i)' },
            ]}
            onChange={(v) => set(['forwarding'], v)}
          />
          <SelectField
            label="Director runtime"
            field="runtime"
            value={str(draft.runtime) || 'script'}
            error={err(['runtime'])}
            options={[
              { value: 'script', label: "The seed's lvs-director script + cron" },
              { value: 'keepalived', label: 'keepalived (checkers; VRRP for a pair)' },
            ]}
            onChange={(v) => set(['runtime'], v)}
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>Director (SSH)</legend>
        <div className="grid">
          {text(['director', 'host'], 'Host', { placeholder: '10.0.0.1' })}
          {number(['director', 'port'], 'SSH port')}
          {text(['director', 'user'], 'User')}
          <SelectField label="Authentication" field="director.auth.method" value={authMethod} options={AUTH_METHODS} onChange={setAuth} />
          {authMethod === 'key' &&
            text(['director', 'auth', 'keyPath'], 'Private key file', {
              className: 'span-2',
              placeholder: info?.platform === 'win32' ? 'C:\\Users\\me\\.ssh\\id_ed25519' : '/home/me/.ssh/id_ed25519',
              hint: info?.nativeDialogs ? undefined : 'the full path on the computer that runs LVS Console',
              after: info?.nativeDialogs ? (
                <button type="button" onClick={() => void browseKey()} data-testid="browse-key">
                  Browse…
                </button>
              ) : undefined,
            })}
          {authMethod === 'key' && (
            <TextField label="Key passphrase" field="secret.passphrase" type="password" value={secrets.passphrase} placeholder={stored.passphrase ? 'stored: leave blank to keep' : 'none'} onChange={(v) => setSecrets((s) => ({ ...s, passphrase: v }))} />
          )}
          {(authMethod === 'password' || authMethod === 'keyboard-interactive') && (
            <TextField
              label="Password"
              field="secret.password"
              type="password"
              value={secrets.password}
              placeholder={stored.password ? 'stored: leave blank to keep' : ''}
              hint="Stored encrypted on this computer; never shown again."
              onChange={(v) => setSecrets((s) => ({ ...s, password: v }))}
            />
          )}
        </div>
        <CheckField label="Run privileged commands with sudo" field="director.sudo" checked={sudoOn} onChange={(on) => set(['director', 'sudo'], on ? {} : undefined)} />
        {sudoOn && (
          <TextField label="sudo password" field="secret.sudo" type="password" value={secrets.sudo} placeholder={stored.sudo ? 'stored: leave blank to keep' : 'none (NOPASSWD)'} onChange={(v) => setSecrets((s) => ({ ...s, sudo: v }))} />
        )}
        <CheckField
          label="Allow old SSH algorithms (old HP-UX sshd)"
          field="director.legacyAlgorithms"
          checked={getAt(draft, ['director', 'legacyAlgorithms']) === true}
          onChange={(on) => set(['director', 'legacyAlgorithms'], on || undefined)}
        />
      </fieldset>

      <fieldset data-testid="pair-fieldset">
        <legend>Second director (VRRP pair)</legend>
        <CheckField
          label="Run this cluster on two directors: keepalived moves the VIP and a floating gateway to the backup in under 2 s"
          field="pair"
          checked={pairOn}
          onChange={setPair}
        />
        {pairOn && (
          <div className="grid">
            {text(['pair', 'director', 'host'], 'Second director host', { placeholder: '10.0.0.2' })}
            {number(['pair', 'director', 'port'], 'SSH port')}
            {text(['pair', 'director', 'user'], 'User')}
            <SelectField
              label="Authentication"
              field="pair.director.auth.method"
              value={pairAuth}
              options={AUTH_METHODS.filter((m) => m.value === 'agent' || m.value === 'key')}
              onChange={(m) => set(['pair', 'director', 'auth'], m === 'key' ? { method: 'key', keyPath: str(getAt(draft, ['pair', 'director', 'auth', 'keyPath'])) } : { method: 'agent' })}
            />
            {pairAuth === 'key' && text(['pair', 'director', 'auth', 'keyPath'], 'Private key file', { placeholder: 'C:\\Users\\me\\.ssh\\id_ed25519' })}
            {text(['pair', 'gateway'], 'Floating gateway address', { placeholder: '10.0.0.254', hint: "the realservers' default route: it moves with the VIP" })}
            {number(['pair', 'vrid'], 'VRRP router id', { placeholder: '51' })}
            {number(['pair', 'advertMs'], 'Advert interval (ms)', { placeholder: '500', hint: 'failover ≈ 3 × this + skew' })}
          </div>
        )}
      </fieldset>

      <div className="two-col">
        {services('tcp')}
        {services('udp')}
      </div>

      <fieldset className="rows">
        <legend>Realservers (RIPS)</legend>
        {realservers.length === 0 && <p className="muted">No realservers yet. Add one per host behind the director.</p>}
        {realservers.map((_, i) => (
          <div className="row-fields" key={i} role="group" aria-label={`Realserver ${i + 1}`}>
            {text(['realservers', i, 'host'], 'Host', { placeholder: `10.0.0.${i + 2}` })}
            {text(['realservers', i, 'name'], 'Name', { placeholder: `rs${i + 1}` })}
            {number(['realservers', i, 'weight'], 'Weight', { placeholder: '1' })}
            <SelectField
              label="OS"
              field={`realservers.${i}.os`}
              value={str(getAt(draft, ['realservers', i, 'os'])) || 'linux'}
              options={[
                { value: 'linux', label: 'Linux' },
                { value: 'hpux', label: 'HP-UX' },
              ]}
              onChange={(v) => set(['realservers', i, 'os'], v)}
            />
            {text(['realservers', i, 'netIf'], 'Interface', { placeholder: 'eth0' })}
            <CheckField label="Enabled" field={`realservers.${i}.enabled`} checked={getAt(draft, ['realservers', i, 'enabled']) !== false} onChange={(on) => set(['realservers', i, 'enabled'], on ? undefined : false)} />
            {/* SSH through the director's session: the console's path survives the route fix when this desktop shares the realservers' subnet (issue 9 §3). */}
            <CheckField label="SSH via director" field={`realservers.${i}.ssh.viaDirector`} checked={getAt(draft, ['realservers', i, 'ssh', 'viaDirector']) === true} onChange={(on) => set(['realservers', i, 'ssh', 'viaDirector'], on ? true : undefined)} />
            <button type="button" className="icon-button" aria-label={`Remove realserver ${i + 1}`} onClick={() => setDraft((d) => removeAt(d, ['realservers'], i))}>
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          onClick={() => {
            setDraft((d) => appendAt(d, ['realservers'], { host: '' }));
            // The new row's host field, ready to type in.
            const n = realservers.length;
            focusWhenReady(`.cluster-form [data-field="realservers.${n}.host"] input`);
          }}
        >
          Add realserver
        </button>
      </fieldset>

      <div className="form-actions">
        {submitted && invalidCount > 0 && (
          <div className="field-error form-summary" role="alert">
            <p>
              {invalidCount} field{invalidCount === 1 ? '' : 's'} to fix before saving:
            </p>
            <ul>
              {[...validation.errors].map(([k, m]) => (
                <li key={k}>
                  <strong>{labelOfKey(k)}</strong>: {m}
                </li>
              ))}
            </ul>
          </div>
        )}
        {machine.length > 0 && validation.ok && (
          <div className="notice notice-warn check-panel" role="alert" tabIndex={-1} data-testid="save-checks">
            <p>
              <strong>Before saving, check {machine.length === 1 ? 'this' : `these ${machine.length}`}:</strong>
            </p>
            <ul>
              {machine.map((p, i) => (
                <li key={i} data-check={p.check}>
                  <strong>{fieldLabel(p.path)}</strong> ({CHECK_NAME[p.check]}): {p.message}
                </li>
              ))}
            </ul>
            <div className="row">
              <button type="button" onClick={() => void save(true)}>
                Save anyway
              </button>
            </div>
          </div>
        )}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={phase !== 'editing'}>
          {phase === 'checking' ? 'Checking names and files…' : phase === 'saving' ? 'Saving…' : 'Save profile'}
        </button>
      </div>
    </form>
  );
}

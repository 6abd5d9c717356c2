/**
 * Add / edit one cluster profile. Every change re-validates the draft with the shared clusterSchema and shows each
 * field's message as soon as that field was touched (all of them after a save attempt). Passwords go to secrets.set
 * and only their references are saved in the profile; they are never read back.
 */
import { useEffect, useMemo, useState } from 'react';
import { SCHEDULERS } from '../../../shared/model/cluster.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import type { Cluster } from '../../../shared/model/cluster.ts';
import { useApi } from '../../app/api-context.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { CheckField, FileButton, SelectField, TextField } from '../../app/fields.tsx';
import { appendAt, clusterBaseSchema, getAt, idFromName, numberish, pathKey, portish, removeAt, secretRefFor, setAt, validateDraft, type Draft, type Path } from './form-model.ts';

/** Props of ClusterForm. */
export interface ClusterFormProps {
  initial: Draft;
  mode: 'new' | 'edit';
  /** Messages from an lvs.conf import to show above the form. */
  warnings?: string[];
  onSaved: (c: Cluster) => void;
  onCancel: () => void;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const AUTH_METHODS = [
  { value: 'agent', label: 'SSH agent (Pageant / OpenSSH agent)' },
  { value: 'key', label: 'Private key file' },
  { value: 'password', label: 'Password' },
  { value: 'keyboard-interactive', label: 'Keyboard-interactive (password prompt)' },
];

/** The cluster profile form. */
export function ClusterForm({ initial, mode, warnings, onSaved, onCancel }: ClusterFormProps) {
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(initial);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [secrets, setSecrets] = useState({ password: '', passphrase: '', sudo: '' });
  const [stored, setStored] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<AppErrorData>();
  const [notes, setNotes] = useState<string[]>(warnings ?? []);
  const [saving, setSaving] = useState(false);
  const validation = useMemo(() => validateDraft(draft), [draft]);

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

  const err = (path: Path) => {
    const k = pathKey(path);
    return touched.has(k) || submitted ? validation.errors.get(k) : undefined;
  };
  const set = (path: Path, value: unknown) => {
    setDraft((d) => setAt(d, path, value));
    setTouched((t) => new Set(t).add(pathKey(path)));
  };
  const text = (path: Path, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField label={label} field={pathKey(path)} value={str(getAt(draft, path))} error={err(path)} onChange={(v) => set(path, v)} {...extra} />
  );
  const number = (path: Path, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField label={label} field={pathKey(path)} inputMode="numeric" value={str(getAt(draft, path))} error={err(path)} onChange={(v) => set(path, numberish(v))} {...extra} />
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

  const importFile = async (text: string, file: string) => {
    // The file does not say how to reach the director: the form's name, id and director must be valid first.
    const base = clusterBaseSchema.safeParse(draft);
    if (!base.success) {
      setSubmitted(true);
      return setError({ code: 'INVALID_INPUT', message: `Fill in the name, id and director (host, user) first: ${base.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
    }
    const r = await api.call('clusters.importConf', { source: 'text', text, file, base: base.data });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setDraft(r.value.cluster as Draft);
    setNotes([`Filled from ${file}.`, ...r.value.warnings]);
  };
  const importDirector = async () => {
    const r = await api.call('clusters.importConf', { source: 'director', clusterId: id });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setDraft(r.value.cluster as Draft);
    setNotes(['Filled from /etc/lvs.conf on the director. Review, then Save.', ...r.value.warnings]);
  };

  const save = async () => {
    setSubmitted(true);
    if (!validation.ok) {
      // Move focus to the first field that needs fixing.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.cluster-form .field-invalid input, .cluster-form .field-invalid select')?.focus());
      return;
    }
    setSaving(true);
    setError(undefined);
    let cluster = validation.cluster;
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
        setSaving(false);
        return setError(r.error);
      }
    }
    const r = await api.call('clusters.save', { cluster });
    setSaving(false);
    if (!r.ok) return setError(r.error);
    onSaved(r.value);
  };

  const invalidCount = validation.ok ? 0 : validation.errors.size;
  const services = (proto: 'tcp' | 'udp') => {
    const rows = (getAt(draft, [proto]) as unknown[] | undefined) ?? [];
    return (
      <fieldset className="rows">
        <legend>{proto.toUpperCase()} services {proto === 'tcp' ? '(TPORTS)' : '(UPORTS)'}</legend>
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
        <FileButton label="Fill from an lvs.conf file…" onText={(t, n) => void importFile(t, n)} onError={(m) => setError({ code: 'INVALID_INPUT', message: m })} />
        {mode === 'edit' && (
          <button type="button" onClick={() => void importDirector()}>
            Import /etc/lvs.conf from the director
          </button>
        )}
      </div>
      {notes.length > 0 && (
        <div className="notice" role="status">
          <ul>
            {notes.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      <ErrorBox error={error} context="Saving the profile" />

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
          {authMethod === 'key' && text(['director', 'auth', 'keyPath'], 'Private key file', { placeholder: 'C:\\Users\\me\\.ssh\\id_ed25519' })}
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
          <div className="row-fields" key={i}>
            {text(['realservers', i, 'host'], 'Host', { placeholder: `10.0.0.${i + 2}` })}
            {text(['realservers', i, 'name'], 'Name', { placeholder: `rs${i + 1}` })}
            {number(['realservers', i, 'weight'], 'Weight', { placeholder: '1' })}
            <SelectField label="OS" field={`realservers.${i}.os`} value={str(getAt(draft, ['realservers', i, 'os'])) || 'linux'} options={[{ value: 'linux', label: 'Linux' }, { value: 'hpux', label: 'HP-UX' }]} onChange={(v) => set(['realservers', i, 'os'], v)} />
            {text(['realservers', i, 'netIf'], 'Interface', { placeholder: 'eth0' })}
            <CheckField label="Enabled" field={`realservers.${i}.enabled`} checked={getAt(draft, ['realservers', i, 'enabled']) !== false} onChange={(on) => set(['realservers', i, 'enabled'], on ? undefined : false)} />
            <button type="button" className="icon-button" aria-label={`Remove realserver ${i + 1}`} onClick={() => setDraft((d) => removeAt(d, ['realservers'], i))}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setDraft((d) => appendAt(d, ['realservers'], { host: '' }))}>
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
                  <code>{k || '(profile)'}</code>: {m}
                </li>
              ))}
            </ul>
          </div>
        )}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save profile'}
        </button>
      </div>
    </form>
  );
}

/** Labelled form controls that show their validation message under the field and wire it with aria-describedby. */
import { useId, useRef, type ReactNode } from 'react';

interface Common {
  label: string;
  error?: string | undefined;
  /** Shown when there is no error: something to check that does not stop a save (amber). */
  warning?: string | undefined;
  hint?: ReactNode;
  /** data-field for tests and for focusing the first invalid field. */
  field: string;
  className?: string;
}

function Frame({ label, error, warning, hint, field, className, id, children }: Common & { id: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : warning ? ' field-warned' : ''}${className ? ` ${className}` : ''}`} data-field={field}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && !warning && (
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {warning && !error && (
        <div className="field-warning" id={`${id}-warn`} role="status">
          {warning}
        </div>
      )}
      {error && (
        <div className="field-error" id={`${id}-err`} role="status">
          {error}
        </div>
      )}
    </div>
  );
}

/** A text (or password/number-as-text) input; `after` sits beside it (e.g. a Browse… button). */
export function TextField(p: Common & { value: string; onChange: (v: string) => void; type?: 'text' | 'password'; placeholder?: string | undefined; disabled?: boolean | undefined; inputMode?: 'numeric' | 'text'; autoComplete?: string; after?: ReactNode }) {
  const id = useId();
  const described = p.error ? `${id}-err` : p.warning ? `${id}-warn` : p.hint ? `${id}-hint` : undefined;
  const input = (
    <input
        id={id}
        type={p.type ?? 'text'}
        value={p.value}
        placeholder={p.placeholder}
        disabled={p.disabled}
        inputMode={p.inputMode}
        autoComplete={p.autoComplete ?? 'off'}
        spellCheck={false}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={described}
        onChange={(e) => p.onChange(e.target.value)}
      />
  );
  return (
    <Frame {...p} id={id}>
      {p.after ? (
        <div className="input-row">
          {input}
          {p.after}
        </div>
      ) : (
        input
      )}
    </Frame>
  );
}

/** A select. */
export function SelectField(p: Common & { value: string; onChange: (v: string) => void; options: readonly (string | { value: string; label: string })[]; disabled?: boolean }) {
  const id = useId();
  return (
    <Frame {...p} id={id}>
      <select id={id} value={p.value} disabled={p.disabled} aria-invalid={p.error ? true : undefined} aria-describedby={p.error ? `${id}-err` : undefined} onChange={(e) => p.onChange(e.target.value)}>
        {p.options.map((o) => {
          const v = typeof o === 'string' ? o : o.value;
          return (
            <option key={v} value={v}>
              {typeof o === 'string' ? o : o.label}
            </option>
          );
        })}
      </select>
    </Frame>
  );
}

/** A checkbox with its label on the right. */
export function CheckField(p: { label: string; checked: boolean; onChange: (v: boolean) => void; field: string; hint?: string }) {
  const id = useId();
  return (
    <div className="field field-check" data-field={p.field}>
      <input id={id} type="checkbox" checked={p.checked} onChange={(e) => p.onChange(e.target.checked)} />
      <label htmlFor={id}>{p.label}</label>
      {p.hint && <div className="field-hint">{p.hint}</div>}
    </div>
  );
}

/** A button that opens a file picker and hands over the chosen file's text (refuses files over maxBytes). */
export function FileButton({ label, accept, maxBytes = 1_000_000, onText, onError, className }: { label: string; accept?: string; maxBytes?: number; onText: (text: string, name: string) => void; onError: (message: string) => void; className?: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className={className} onClick={() => input.current?.click()}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        accept={accept}
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (!f) return;
          if (f.size > maxBytes) return onError(`${f.name} is ${f.size} bytes; the limit is ${maxBytes}. Pick the lvs.conf itself, not an archive.`);
          f.text().then(
            (t) => onText(t, f.name),
            (err: unknown) => onError(`Could not read ${f.name}: ${err instanceof Error ? err.message : String(err)}`),
          );
        }}
      />
    </>
  );
}

/** Labelled form controls that show their validation message under the field and wire it with aria-describedby. */
import { useId, useRef, type ReactNode } from 'react';

interface Common {
  label: string;
  error?: string;
  hint?: ReactNode;
  /** data-field for tests and for focusing the first invalid field. */
  field: string;
  className?: string;
}

function Frame({ label, error, hint, field, className, id, children }: Common & { id: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`} data-field={field}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && (
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
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

/** A text (or password/number-as-text) input. */
export function TextField(p: Common & { value: string; onChange: (v: string) => void; type?: 'text' | 'password'; placeholder?: string; disabled?: boolean; inputMode?: 'numeric' | 'text'; autoComplete?: string }) {
  const id = useId();
  return (
    <Frame {...p} id={id}>
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
        aria-describedby={p.error ? `${id}-err` : p.hint ? `${id}-hint` : undefined}
        onChange={(e) => p.onChange(e.target.value)}
      />
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

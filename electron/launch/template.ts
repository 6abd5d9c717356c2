/**
 * Argument templates: argv arrays whose elements may hold {vip}, {display} and {port}. Rendering validates the values
 * (the VIP must be a host name or address) and refuses any rendered argument with characters a shell or the Windows
 * command line would treat specially, even though we never spawn through a shell.
 */
import { hostSchema } from '../../shared/model/validators.ts';
import { AppError } from '../../shared/result.ts';
import type { TemplateValues } from './types.ts';

/** The placeholders a template may use. */
export const PLACEHOLDERS = ['vip', 'display', 'port'] as const;

/** What a rendered argument may contain: letters, digits, space and _ . , : = + @ # / \ [ ] - */
const SAFE_ARG = /^[A-Za-z0-9 _.,:=+@#/\\[\]-]*$/;

/** Checks a template without values: known placeholders only, {vip} used, sane lengths. Returns problems (empty = ok). */
export function templateProblems(template: readonly string[]): string[] {
  const problems: string[] = [];
  if (template.length > 64) problems.push('argsTemplate: more than 64 arguments');
  let usesVip = false;
  template.forEach((arg, i) => {
    if (typeof arg !== 'string') {
      problems.push(`argsTemplate[${i}]: not a string`);
      return;
    }
    if (arg.length > 512) problems.push(`argsTemplate[${i}]: longer than 512 characters`);
    for (const m of arg.matchAll(/\{([^}]*)\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) problems.push(`argsTemplate[${i}]: unknown placeholder {${m[1]}} (use {vip}, {display} or {port})`);
      if (m[1] === 'vip') usesVip = true;
    }
    const literal = arg.replace(/\{[^}]*\}/g, ''); // placeholders checked above
    if (!SAFE_ARG.test(literal)) problems.push(`argsTemplate[${i}]: ${JSON.stringify(arg)} contains a character that is not allowed (shell or command-line metacharacter)`);
  });
  if (!usesVip) problems.push('argsTemplate: must contain {vip} (the address Connect me connects to)');
  return problems;
}

/** Renders a template into argv. Throws AppError('INVALID_INPUT') naming the argument or value that is wrong. */
export function renderTemplate(template: readonly string[], values: TemplateValues): string[] {
  const problems = templateProblems(template);
  if (problems.length) throw new AppError('INVALID_INPUT', problems.join('; '), { step: 'render launcher arguments' });
  const vip = hostSchema.safeParse(values.vip);
  if (!vip.success) throw new AppError('INVALID_INPUT', `vip: ${vip.error.issues[0]?.message ?? 'invalid'} (${JSON.stringify(values.vip)})`, { step: 'render launcher arguments' });
  if (values.display !== undefined && !(Number.isInteger(values.display) && values.display >= 0 && values.display <= 999)) {
    throw new AppError('INVALID_INPUT', `display: must be 0–999, got ${values.display}`, { step: 'render launcher arguments' });
  }
  if (values.port !== undefined && !(Number.isInteger(values.port) && values.port >= 1 && values.port <= 65535)) {
    throw new AppError('INVALID_INPUT', `port: must be 1–65535, got ${values.port}`, { step: 'render launcher arguments' });
  }
  return template.map((arg, i) => {
    const out = arg.replace(/\{(vip|display|port)\}/g, (_m, name: string) => {
      const v = values[name as keyof TemplateValues];
      if (v === undefined) throw new AppError('INVALID_INPUT', `argsTemplate[${i}] uses {${name}} but no ${name} was given`, { step: 'render launcher arguments' });
      return String(v);
    });
    if (!SAFE_ARG.test(out)) throw new AppError('INVALID_INPUT', `argsTemplate[${i}] renders to ${JSON.stringify(out)}, which contains a metacharacter`, { step: 'render launcher arguments' });
    return out;
  });
}

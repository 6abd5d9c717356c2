/**
 * sudo for non-root users, with the password fed safely: never on a command line, never in a log, and never to the
 * command itself. With a password, the command runs as `sudo -k -S -p MARKER -- argv…`: -k makes sudo always ask (no
 * cached ticket decides whether stdin is the password or the command's input), -S reads the password from stdin, and
 * the random MARKER prompt on stderr tells us exactly when sudo wants it; the caller's own stdin is written only after
 * sudo has the password. (A NOPASSWD rule never prompts: then configure sudo without a password, which runs
 * `sudo -n -- argv…` and fails fast instead of hanging.) A second prompt means the password was wrong.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../shared/result.ts';

/** A fresh prompt marker; contains no `%` (sudo expands %-escapes in -p). */
export function newSudoMarker(): string {
  return `[lvs-sudo-${randomBytes(8).toString('hex')}]`;
}

/** argv wrapped in sudo: with a password (prompt = marker) or non-interactive (-n). */
export function sudoArgv(argv: readonly string[], withPassword: { marker: string } | undefined): string[] {
  return withPassword ? ['sudo', '-k', '-S', '-p', withPassword.marker, '--', ...argv] : ['sudo', '-n', '--', ...argv];
}

/**
 * Removes the marker from streamed stderr and counts prompts, holding back a tail that could be the start of a marker
 * split across chunks.
 */
export class SudoPromptFilter {
  private pending = '';
  prompts = 0;
  constructor(private readonly marker: string) {}

  /** Feeds a chunk; returns the text to pass on (markers removed) and how many new prompts it held. */
  push(chunk: string): { text: string; newPrompts: number } {
    let s = this.pending + chunk;
    let newPrompts = 0;
    for (let i = s.indexOf(this.marker); i !== -1; i = s.indexOf(this.marker)) {
      s = s.slice(0, i) + s.slice(i + this.marker.length);
      newPrompts += 1;
    }
    let keep = 0;
    for (let k = Math.min(this.marker.length - 1, s.length); k > 0; k--) {
      if (this.marker.startsWith(s.slice(s.length - k))) {
        keep = k;
        break;
      }
    }
    this.pending = s.slice(s.length - keep);
    this.prompts += newPrompts;
    return { text: s.slice(0, s.length - keep), newPrompts };
  }

  /** Whatever was held back at the end of the stream. */
  flush(): string {
    const t = this.pending;
    this.pending = '';
    return t;
  }
}

// sudo's own refusals on stderr (sudo 1.9): "sudo: a password is required", "sudo: 1 incorrect password attempt",
// "sudo: no password was provided", "USER is not in the sudoers file", "Sorry, user X is not allowed to execute …".
const SUDO_REFUSED = /^(?:sudo: (?:a password is required|\d+ incorrect password attempts?|no password was provided|a terminal is required)|.*is not in the sudoers file|Sorry, user \S+ is not allowed to execute)/m;

/**
 * The AUTH_FAILED error when sudo itself refused (wrong / missing password, not allowed), or undefined when the exit
 * came from the command. `prompts` > 1 means sudo asked again after our password: it was wrong.
 */
export function sudoFailure(label: string, code: number | null, stderr: string, prompts: number): AppError | undefined {
  const refused = code === 1 && SUDO_REFUSED.exec(stderr);
  if (prompts < 2 && !refused) return undefined;
  const why = prompts >= 2 ? 'incorrect sudo password' : refused ? refused[0].replace(/^sudo: /, '') : 'refused';
  return new AppError('AUTH_FAILED', `${label}: sudo: ${why}`, { host: label, step: 'sudo' });
}

/** What to do next for each error code, so every error on screen ends with an action the user can take. */
import type { AppErrorData, ErrorCode } from '../../shared/result.ts';

/** How loudly an error is shown: 'stop' errors (changed host key, failed rollback) are never routine. */
export type ErrorSeverity = 'info' | 'error' | 'stop';

/** The next step and severity for an error. */
export function errorAdvice(e: AppErrorData): { severity: ErrorSeverity; title: string; next: string } {
  const where = e.host ? ` on ${e.host}` : '';
  const table: Record<ErrorCode, { severity: ErrorSeverity; title: string; next: string }> = {
    INVALID_INPUT: { severity: 'error', title: 'Some input is not valid', next: 'Fix the field named in the message and try again.' },
    PARSE_ERROR: {
      severity: 'error',
      title: `Could not understand the output or file${where}`,
      next: 'The message names the line that failed. Check the file or the tool version on the host, then try again; the Log screen has the raw output.',
    },
    HOST_KEY_UNKNOWN: {
      severity: 'error',
      title: `The host key${where} is not trusted yet`,
      next: 'Review the key fingerprint and trust it only if it matches what the host administrator gave you (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the host).',
    },
    HOST_KEY_CHANGED: {
      severity: 'stop',
      title: `STOP: the host key${where} has CHANGED`,
      next:
        'Nothing was sent. A changed key means the host was reinstalled, or someone is intercepting the connection. Do not continue: ask the host administrator for the new fingerprint over another channel, and only then remove the old key from the trusted keys.',
    },
    AUTH_FAILED: {
      severity: 'error',
      title: `Login refused${where}`,
      next: 'Check the user and the authentication method in the cluster profile (Clusters → Edit). For agent auth, load your key into the SSH agent (ssh-add); for a password, enter it again.',
    },
    CONNECT_FAILED: {
      severity: 'error',
      title: `Could not connect${where}`,
      next: 'Check that the host is up, that sshd listens on the port in the profile, and that no firewall is in the way; then retry.',
    },
    TIMEOUT: { severity: 'error', title: `No answer in time${where}`, next: 'Check the network path to the host and retry; the Log screen shows which command was waiting.' },
    CANCELLED: { severity: 'info', title: 'Cancelled', next: 'Nothing more was run. Start again when ready.' },
    COMMAND_FAILED: {
      severity: 'error',
      title: `A command failed${where}`,
      next: 'Read its output in the message above or on the Log screen, fix the cause on the host, then preview and run again.',
    },
    NOT_FOUND: {
      severity: 'error',
      title: `A tool is missing${where}`,
      next: 'Install it on the host (for ipvsadm: apt-get install ipvsadm, or your distribution\'s package), then try again.',
    },
    APPLY_FAILED: {
      severity: 'error',
      title: `The change failed and was rolled back${where}`,
      next: 'The previous table was restored. Read the failing step, fix it, and preview again before running.',
    },
    ROLLBACK_FAILED: {
      severity: 'stop',
      title: `The change failed AND the rollback failed${where}`,
      next: 'The director table is in an unknown state. Open the Director screen, read the live table, then run Reconcile (to match the profile) or Stop.',
    },
    PLAN_STALE: {
      severity: 'info',
      title: `Nothing ran: the director or the profile changed since you looked${where}`,
      next: 'Read what changed, then check the fresh preview: confirm it only if it is still what you want.',
    },
    UNSUPPORTED: { severity: 'error', title: 'Not supported here', next: 'This action is not available for this host or platform; see the message for what is missing.' },
    INTERNAL: { severity: 'error', title: 'Something went wrong inside LVS Console', next: 'Retry; if it happens again, export the Log screen and report it with the steps that led here.' },
  };
  return causeAdvice(e, where) ?? table[e.code] ?? table.INTERNAL;
}

/**
 * Advice for causes an error code alone does not tell apart, read from the step (and message) the main side names:
 * a key file that is missing is not a tool to install, a host name the director cannot resolve is a profile fix.
 */
function causeAdvice(e: AppErrorData, where: string): { severity: ErrorSeverity; title: string; next: string } | undefined {
  const step = e.step ?? '';
  if (step === 'load key') {
    if (e.code === 'NOT_FOUND')
      return { severity: 'error', title: 'The private key file is not there', next: 'Fix the key file in Clusters → Edit (the full path on this computer, or Browse… in the desktop app), or pick another authentication.' };
    if (e.code === 'AUTH_FAILED') return { severity: 'error', title: 'The private key cannot be unlocked', next: 'Enter its passphrase in Clusters → Edit (Key passphrase), then try again.' };
    return { severity: 'error', title: 'The private key file cannot be used', next: 'Read the message (it names the file and why); fix it or choose another key in Clusters → Edit.' };
  }
  if (step === 'resolve' && e.code === 'NOT_FOUND') {
    return {
      severity: 'error',
      title: `A host name in the profile does not resolve${where}`,
      next: "The director looks names up before it plans (getent hosts, /etc/hosts). Write that host's address in Clusters → Edit, or add the name to the director's /etc/hosts or DNS.",
    };
  }
  if (e.code === 'NOT_FOUND' && /no cluster profile/.test(e.message)) {
    return { severity: 'error', title: 'This cluster profile is gone', next: 'It was deleted (maybe from another window). Pick another cluster in the header, or add it again on the Clusters screen.' };
  }
  if (e.code === 'NOT_FOUND' && !/ipvsadm|command not found|not installed/i.test(e.message)) {
    return { severity: 'error', title: `Not found${where}`, next: 'The message names what is missing; fix it on the host or in the profile (Clusters → Edit), then try again.' };
  }
  return undefined;
}

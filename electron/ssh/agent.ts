/**
 * Which SSH agent to use, as the string ssh2's `agent` option takes: on Windows "pageant" (PuTTY's Pageant) or the
 * Windows OpenSSH agent's named pipe \\.\pipe\openssh-ssh-agent, chosen by a setting; elsewhere $SSH_AUTH_SOCK.
 * (ssh2's createAgent turns "pageant" into a PageantAgent and a \\.\pipe\… path into an OpenSSHAgent over the pipe.)
 */
import type { WindowsAgent } from './types.ts';

/** The Windows OpenSSH agent's pipe. */
export const WINDOWS_OPENSSH_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

/** Inputs for resolveAgent (injected so every platform is testable anywhere). */
export interface AgentChoice {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Setting for Windows (default 'pageant'). */
  windowsAgent?: WindowsAgent;
  /** An explicit agent socket / pipe / "pageant", overriding everything else. */
  override?: string;
}

/** The agent string for ssh2, or undefined when there is none (no SSH_AUTH_SOCK). */
export function resolveAgent(choice: AgentChoice = {}): string | undefined {
  if (choice.override) return choice.override;
  const platform = choice.platform ?? process.platform;
  if (platform === 'win32') return (choice.windowsAgent ?? 'pageant') === 'pageant' ? 'pageant' : WINDOWS_OPENSSH_AGENT_PIPE;
  const sock = (choice.env ?? process.env).SSH_AUTH_SOCK;
  return sock && sock.trim() !== '' ? sock : undefined;
}

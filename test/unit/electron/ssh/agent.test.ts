import { describe, expect, it } from 'vitest';
import { resolveAgent, WINDOWS_OPENSSH_AGENT_PIPE } from '../../../../electron/ssh/agent.ts';

describe('resolveAgent', () => {
  it('uses SSH_AUTH_SOCK off Windows, undefined without it', () => {
    expect(resolveAgent({ platform: 'linux', env: { SSH_AUTH_SOCK: '/tmp/agent.sock' } })).toBe('/tmp/agent.sock');
    expect(resolveAgent({ platform: 'darwin', env: {} })).toBeUndefined();
  });
  it('on Windows: Pageant by default, the OpenSSH agent pipe when chosen', () => {
    expect(resolveAgent({ platform: 'win32', env: { SSH_AUTH_SOCK: '/x' } })).toBe('pageant');
    expect(resolveAgent({ platform: 'win32', windowsAgent: 'openssh' })).toBe('\\\\.\\pipe\\openssh-ssh-agent');
    expect(WINDOWS_OPENSSH_AGENT_PIPE).toBe(String.raw`\\.\pipe\openssh-ssh-agent`);
  });
  it('an explicit override wins', () => {
    expect(resolveAgent({ platform: 'win32', override: '/run/agent' })).toBe('/run/agent');
  });
});

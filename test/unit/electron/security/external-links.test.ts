import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl } from '../../../../electron/security/external-links.ts';

describe('isAllowedExternalUrl', () => {
  it('opens https pages of the LVS project site', () => {
    expect(isAllowedExternalUrl('https://www.linuxvirtualserver.org/docs/scheduling.html')).toBe(true);
    expect(isAllowedExternalUrl('https://LinuxVirtualServer.org/')).toBe(true);
  });

  it.each([
    'http://www.linuxvirtualserver.org/',
    'https://www.linuxvirtualserver.org.evil.example/',
    'https://evil.example/?u=https://www.linuxvirtualserver.org/',
    'https://user@www.linuxvirtualserver.org/',
    'https://www.linuxvirtualserver.org:8443/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'ms-msdt:/id',
    'smb://host/share',
  ])('refuses %s', (url) => {
    expect(isAllowedExternalUrl(url)).toBe(false);
  });
});

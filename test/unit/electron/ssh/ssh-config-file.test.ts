import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSshConfig, userSshConfigPath } from '../../../../electron/ssh/ssh-config-file.ts';
import { resolveSshConfig } from '../../../../electron/ssh/ssh-config.ts';

const home = mkdtempSync(join(tmpdir(), 'lvs-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('loadSshConfig', () => {
  it('a missing file is an empty config', () => {
    expect(loadSshConfig(join(home, 'none'), home).blocks).toHaveLength(1);
  });
  it('follows Include with a glob, relative to ~/.ssh, in name order', () => {
    mkdirSync(join(home, '.ssh', 'config.d'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config.d', '10-lab.conf'), 'Host lab-*\n  User labadmin\n');
    writeFileSync(join(home, '.ssh', 'config.d', '20-all.conf'), 'Host *\n  User other\n  Port 2022\n');
    writeFileSync(userSshConfigPath(home), 'Include config.d/*.conf\nHost lab-dir\n  HostName 10.0.0.1\n');
    const cfg = loadSshConfig(userSshConfigPath(home), home);
    expect(cfg.blocks.map((b) => b.source.replace(home, '~'))).toEqual(['~/.ssh/config', '~/.ssh/config.d/10-lab.conf', '~/.ssh/config.d/20-all.conf', '~/.ssh/config']);
    expect(resolveSshConfig(cfg, 'lab-dir', { home, localUser: 'me' })).toMatchObject({ hostName: '10.0.0.1', user: 'labadmin', port: 2022 });
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINK_CRON_SCRIPT, parseDetectOutput } from '../../../../electron/services/install-director.ts';

const run = (argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });

describe('install-director pieces (real sh)', () => {
  it('reads the layout: first rc dir and crontabs dir win', () => {
    expect(parseDetectOutput('director x', 'rcdir /etc/rc.d/rc3.d\nrcdir /etc/rc3.d\ncrontabs /etc/crontabs\ncrontabs /var/spool/cron/crontabs\ninitd /etc/init.d\nipvsadm /usr/sbin/ipvsadm\n')).toEqual({
      rcDir: '/etc/rc.d/rc3.d',
      crontabs: '/etc/crontabs',
      initD: true,
      confExists: false,
      ipvsadm: '/usr/sbin/ipvsadm',
    });
    expect(() => parseDetectOutput('director x', 'rcdir relative\n')).toThrow('director x: detect: line 1: unexpected "rcdir relative"');
  });
  it('links S99lvs-director to the init script and appends the cron line once, telling crond to re-read it', () => {
    const d = mkdtempSync(join(tmpdir(), 'inst-'));
    const tab = join(d, 'root');
    const line = '* * * * * /etc/init.d/lvs-director update >/dev/null 2>&1';
    for (let i = 0; i < 2; i++) run(['sh', '-c', LINK_CRON_SCRIPT, 'x', d, tab, line]);
    expect(readlinkSync(join(d, 'S99lvs-director'))).toBe('/etc/init.d/lvs-director');
    expect(readFileSync(tab, 'utf8')).toBe(`${line}\n`);
    expect(readFileSync(join(d, 'cron.update'), 'utf8')).toBe('root\nroot\n');
  });
});


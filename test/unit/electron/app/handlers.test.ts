import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers, createNodeDeps } from '../../../../electron/app/handlers.ts';
import { sshFingerprint } from '../../../../electron/store/store-document.ts';

// The handlers' offline methods on real Node stores in a temp dir (remote methods are proven in the lab and the e2e).
const make = () => {
  const events: string[] = [];
  const deps = createNodeDeps({ emit: (e) => void events.push(e), dataDir: mkdtempSync(join(tmpdir(), 'handlers-')) });
  return { h: createHandlers(deps), deps, events };
};
const base = { id: 'lab', name: 'Lab', director: { host: '10.77.0.1', user: 'root' } };
const conf = 'VIP=10.77.0.100\nVIP_IF=eth0:110\nLVS_IF=eth0\nTPORTS="telnet"\nUPORTS="xdmcp"\nRIPS="10.77.0.11 10.77.0.12"\nWEIGHTS="10.77.0.12=3"\n';

describe('app handlers (offline methods)', () => {
  it('imports an lvs.conf, saves it, lists it, exports it back', async () => {
    const { h } = make();
    const imp = await h['clusters.importConf']({ source: 'text', text: conf, file: 'lvs.conf', base });
    expect(imp.warnings).toEqual([]);
    const saved = await h['clusters.save']({ cluster: imp.cluster });
    expect(saved.realservers.map((r) => [r.host, r.weight])).toEqual([
      ['10.77.0.11', 1],
      ['10.77.0.12', 3],
    ]);
    expect((await h['clusters.list']({})).map((c) => c.id)).toEqual(['lab']);
    const out = (await h['clusters.exportConf']({ clusterId: 'lab' })).text;
    expect(out).toMatch(/^VIP=10\.77\.0\.100$/m);
    expect(out).toMatch(/^WEIGHTS=.*10\.77\.0\.12=3/m);
    expect(out).toMatch(/^PERSISTENT=.*udp:177:360/m);
  });
  it('imports a file saved by a Windows editor (BOM, CRLF) converted, with a warning for each, and a UDP service it cannot check as not checked', async () => {
    const { h } = make();
    const text = `\uFEFF${conf.replace('UPORTS="xdmcp"', 'UPORTS="xdmcp 53"').replace(/\n/g, '\r\n')}`;
    const imp = await h['clusters.importConf']({ source: 'text', text, file: 'win.conf', base });
    expect(imp.warnings.length).toBe(3);
    expect(imp.warnings.join('\n')).toMatch(/CRLF/);
    expect(imp.warnings.join('\n')).toMatch(/byte-order mark|BOM/i);
    expect(imp.warnings.join('\n')).toMatch(/53/);
    const saved = await h['clusters.save']({ cluster: imp.cluster });
    expect(saved.vip).toBe('10.77.0.100');
    expect(saved.udp.map((u) => [u.port, u.check?.kind])).toEqual([
      ['xdmcp', undefined],
      [53, 'none'],
    ]);
  });
  it('rejects shell syntax in an imported file with FILE:LINE:COL', async () => {
    const { h } = make();
    await expect(h['clusters.importConf']({ source: 'text', text: 'VIP=10.0.0.1\nRIPS="a `reboot`"\n', file: 'bad.conf', base })).rejects.toThrow(/^bad\.conf:2:/);
    await expect(h['clusters.importConf']({ source: 'text', text: conf, file: 'lvs.conf', base: { id: 'BAD ID' } })).rejects.toThrow(/base: /);
  });
  it('trusts a host key only when the fingerprint is the key’s own', async () => {
    const { h, deps } = make();
    const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    const key = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(Buffer.alloc(32, 7))]).toString('base64'); // SSH wire-format blob
    await expect(h['hostKeys.trust']({ host: '10.77.0.1', port: 22, keyType: 'ssh-ed25519', key, fingerprint: 'SHA256:somethingelse' })).rejects.toThrow(/is not the fingerprint/);
    expect(await deps.stores.hostKeys.check('10.77.0.1', 22, 'ssh-ed25519', key)).toBe('unknown');
    await h['hostKeys.trust']({ host: '10.77.0.1', port: 22, keyType: 'ssh-ed25519', key, fingerprint: sshFingerprint(key) });
    expect(await deps.stores.hostKeys.check('10.77.0.1', 22, 'ssh-ed25519', key)).toBe('trusted');
  });
  it('keeps secrets write-only: has, never get', async () => {
    const { h } = make();
    expect((await h['secrets.has']({ ref: 'director-pw' })).present).toBe(false);
    await h['secrets.set']({ ref: 'director-pw', value: 's3cret' });
    expect((await h['secrets.has']({ ref: 'director-pw' })).present).toBe(true);
    expect(Object.keys(h).filter((m) => m.startsWith('secrets.'))).toEqual(['secrets.set', 'secrets.has']);
  });
  it('refuses remote methods for a profile that does not exist', async () => {
    const { h } = make();
    await expect(h['director.status']({ clusterId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

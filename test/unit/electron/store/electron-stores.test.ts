import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labCluster, tempDir } from './helpers.ts';

// electron-store does `import electron from 'electron'` only to read app/ipcMain for a default folder. Vitest loads
// node_modules natively, so vi.mock cannot reach that import, and the electron npm package throws without its binary
// (not downloadable here) unless ELECTRON_OVERRIDE_DIST_PATH is set; then it exports a path string, which gives
// electron-store no app/ipcMain: the same as in the app, where we always pass an absolute cwd. What our code needs from
// Electron (the userData folder, safeStorage) is injected explicitly below. The real electron-store + conf run.
process.env['ELECTRON_OVERRIDE_DIST_PATH'] ??= '/nonexistent-electron-dist';

const { openElectronStores } = await import('../../../../electron/store/electron-stores.ts');
const { openNodeStores } = await import('../../../../electron/store/node-stores.ts');

const safeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (t: string) => Buffer.from(`enc:${Buffer.from(t).toString('hex')}`),
  decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4), 'hex').toString(),
};

describe('openElectronStores (real electron-store, injected electron app/safeStorage)', () => {
  it('writes the document in userData as lvs-console.json, readable by the Node backend too', () => {
    const dir = tempDir();
    const s = openElectronStores({ userDataDir: dir, safeStorage, platform: 'win32' });
    s.profiles.save(labCluster('lab'));
    s.settings.set({ theme: 'light' });
    expect(existsSync(path.join(dir, 'lvs-console.json'))).toBe(true);
    const viaNode = openNodeStores({ dir });
    expect(viaNode.profiles.list().map((c) => c.id)).toEqual(['lab']);
    expect(viaNode.settings.get().theme).toBe('light');
    expect(openElectronStores({ userDataDir: dir, safeStorage, platform: 'win32' }).profiles.get('lab')?.vip).toBe('10.77.0.100');
  });

  it('keeps secrets in their own file as safeStorage ciphertext', async () => {
    const dir = tempDir();
    const s = openElectronStores({ userDataDir: dir, safeStorage, platform: 'win32' });
    s.secrets.set('lab.director.password', 'hunter2');
    const text = readFileSync(path.join(dir, 'lvs-console-secrets.json'), 'utf8');
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text).secrets['lab.director.password']).toBe(Buffer.from(`enc:${Buffer.from('hunter2').toString('hex')}`).toString('base64'));
    const docFile = path.join(dir, 'lvs-console.json');
    expect(existsSync(docFile) ? readFileSync(docFile, 'utf8') : '').not.toContain('hunter2');
    expect(await openElectronStores({ userDataDir: dir, safeStorage, platform: 'win32' }).secrets.get('lab.director.password')).toBe('hunter2');
  });

  it('reports a corrupt file with its path instead of clearing it', async () => {
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dir, 'lvs-console.json'), '{"schemaVersion": 2,');
    expect(() => openElectronStores({ userDataDir: dir, safeStorage })).toThrow(/lvs-console\.json:1:21: not valid JSON/);
    expect(readFileSync(path.join(dir, 'lvs-console.json'), 'utf8')).toBe('{"schemaVersion": 2,');
  });
});

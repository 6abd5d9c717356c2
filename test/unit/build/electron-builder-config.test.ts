import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// electron-builder's own loader and v26 schema validator (app-builder-lib ships with electron-builder), so an unknown or
// misspelt option fails here exactly as `electron-builder --config build/electron-builder.yml` would.
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(dir: string, file: string, extra: null): Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const ROOT = path.resolve(import.meta.dirname, '../../..');
const load = () => getConfig(ROOT, 'build/electron-builder.yml', null);

describe('build/electron-builder.yml', () => {
  it('passes electron-builder 26 schema validation', async () => {
    await expect(validateConfiguration(await load(), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('a misspelt option would be caught by the same validation', async () => {
    const c = await load();
    await expect(validateConfiguration({ ...c, nsis: { ...c['nsis'], perUser: true } }, new DebugLogger(false))).rejects.toThrow(/does not match the API schema/);
  });

  it('packs the built app into an asar, with ssh2\'s Pageant helper (which exists) unpacked', async () => {
    const c = await load();
    expect(c['appId']).toBe('org.lvsconsole.app');
    expect(c['productName']).toBe('LVS Console');
    expect(c['files']).toEqual([{ filter: ['out/**', 'package.json'] }]); // getConfig normalises the list
    expect(c['asar']).toBe(true);
    expect(c['asarUnpack']).toEqual(['node_modules/ssh2/util/pagent.exe']);
    expect(existsSync(path.join(ROOT, 'node_modules/ssh2/util/pagent.exe'))).toBe(true);
  });

  it('builds an x64 NSIS installer (per user, shortcuts, uninstaller keeps data) and a portable exe', async () => {
    const c = await load();
    expect(c['win'].target).toEqual([
      { target: 'nsis', arch: ['x64'] },
      { target: 'portable', arch: ['x64'] },
    ]);
    expect(c['nsis']).toMatchObject({
      oneClick: false,
      perMachine: false,
      allowToChangeInstallationDirectory: true,
      createDesktopShortcut: true,
      createStartMenuShortcut: true,
      shortcutName: 'LVS Console',
      deleteAppDataOnUninstall: false,
    });
  });

  it('flips the fuses the app does not need', async () => {
    expect((await load())['electronFuses']).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('points at a real ICO with a 256×256 image and small BMP sizes', async () => {
    const c = await load();
    const ico = readFileSync(path.join(ROOT, c['win'].icon));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    const n = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let k = 0; k < n; k++) {
      const e = 6 + 16 * k;
      const size = ico[e] === 0 ? 256 : ico[e]!;
      const offset = ico.readUInt32LE(e + 12);
      const len = ico.readUInt32LE(e + 8);
      expect(offset + len).toBeLessThanOrEqual(ico.length);
      if (size === 256) {
        expect(ico.subarray(offset, offset + 8).toString('hex')).toBe('89504e470d0a1a0a');
        expect(ico.readUInt32BE(offset + 16)).toBe(256);
        expect(ico.readUInt32BE(offset + 20)).toBe(256);
      } else {
        expect(ico.readUInt32LE(offset)).toBe(40);
        expect(ico.readInt32LE(offset + 4)).toBe(size);
      }
      sizes.push(size);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('is what `npm run dist:win` uses', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['dist:win']).toBe('electron-vite build && electron-builder --win --config build/electron-builder.yml');
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openNodeStores, STORE_FILE } from '../../../../electron/store/node-stores.ts';
import { configDirNotes, defaultConfigDir } from '../../../../electron/store/config-dir.ts';
import { ed25519Blob, labCluster, tempDir } from './helpers.ts';

describe('openNodeStores (real files in a temp folder)', () => {
  it('saves, lists, gets and deletes profiles; a second opener sees the same data', () => {
    const dir = tempDir();
    const a = openNodeStores({ dir });
    const saved = a.profiles.save(labCluster('lab'));
    expect(saved.director.port).toBe(22);
    expect(saved.realservers[0]!.weight).toBe(1);
    a.profiles.save(labCluster('alpha'));
    const b = openNodeStores({ dir });
    expect(b.profiles.list().map((c) => c.id)).toEqual(['alpha', 'lab']);
    expect(b.profiles.get('lab')).toEqual(saved);
    expect(b.profiles.get('nope')).toBeUndefined();
    expect(a.profiles.delete('alpha')).toBe(true);
    expect(a.profiles.delete('alpha')).toBe(false);
    expect(b.profiles.list().map((c) => c.id)).toEqual(['lab']);
    const onDisk = JSON.parse(readFileSync(path.join(dir, STORE_FILE), 'utf8'));
    expect(onDisk.schemaVersion).toBe(2);
  });

  it('rejects an invalid profile with the field named and saves nothing', () => {
    const dir = tempDir();
    const s = openNodeStores({ dir });
    expect(() => s.profiles.save({ ...labCluster(), vip: '10.0.0.1; rm -rf /' })).toThrow(/vip/);
    expect(s.profiles.list()).toEqual([]);
  });

  it('reports a hand-broken profile instead of dropping it silently', () => {
    const dir = tempDir();
    const s = openNodeStores({ dir });
    s.profiles.save(labCluster('lab'));
    const file = path.join(dir, STORE_FILE);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.clusters.broken = { ...labCluster('broken'), scheduler: 'fastest' };
    doc.clusters.moved = labCluster('elsewhere');
    writeFileSync(file, JSON.stringify(doc));
    expect(s.profiles.list().map((c) => c.id)).toEqual(['lab']);
    const invalid = s.profiles.invalid();
    expect(invalid.map((p) => p.id)).toEqual(['broken', 'moved']);
    expect(invalid[0]!.problems[0]).toMatch(/^scheduler: /);
    expect(s.profiles.get('moved')).toBeUndefined();
  });

  it('keeps settings with defaults, validates patches, and resets only a value that went bad', () => {
    const dir = tempDir();
    const s = openNodeStores({ dir });
    expect(s.settings.get()).toEqual({ theme: 'system', sampleIntervalSec: 5, launcherOverrides: {}, windowsAgent: 'openssh' });
    expect(s.settings.set({ theme: 'dark', sampleIntervalSec: 2 })).toMatchObject({ theme: 'dark', sampleIntervalSec: 2 });
    expect(() => s.settings.set({ sampleIntervalSec: 0 })).toThrow(/sampleIntervalSec/);
    expect(s.settings.get().sampleIntervalSec).toBe(2);
    const file = path.join(dir, STORE_FILE);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.settings.theme = 'neon';
    writeFileSync(file, JSON.stringify(doc));
    const problems: string[] = [];
    const s2 = openNodeStores({ dir, onProblem: (m) => problems.push(m) });
    expect(s2.settings.get()).toMatchObject({ theme: 'system', sampleIntervalSec: 2 });
    expect(problems[0]).toMatch(/^settings\.theme: .*reset to default/);
  });

  it('remembers window state', () => {
    const s = openNodeStores({ dir: tempDir() });
    expect(s.windowState.get()).toBeUndefined();
    s.windowState.set({ bounds: { x: 1, y: 2, width: 1000, height: 700 }, maximized: true });
    expect(s.windowState.get()).toEqual({ bounds: { x: 1, y: 2, width: 1000, height: 700 }, maximized: true });
    expect(() => s.windowState.set({ bounds: { x: 0, y: 0, width: -5, height: 10 }, maximized: false })).toThrow();
  });

  it('host keys: unknown → trust → trusted; another key of the same type is changed and cannot be trusted over', () => {
    const s = openNodeStores({ dir: tempDir() });
    const k1 = ed25519Blob();
    const k2 = ed25519Blob();
    expect(s.hostKeys.check('10.77.0.2', 22, 'ssh-ed25519', k1)).toBe('unknown');
    s.hostKeys.trust('10.77.0.2', 22, 'ssh-ed25519', k1);
    expect(s.hostKeys.check('10.77.0.2', 22, 'ssh-ed25519', k1)).toBe('trusted');
    expect(s.hostKeys.check('10.77.0.2', 22, 'ssh-ed25519', k2)).toBe('changed');
    expect(s.hostKeys.check('10.77.0.2', 2222, 'ssh-ed25519', k1)).toBe('unknown');
    expect(() => s.hostKeys.trust('10.77.0.2', 22, 'ssh-ed25519', k2)).toThrow(expect.objectContaining({ code: 'HOST_KEY_CHANGED' }));
    expect(s.hostKeys.knownKeyTypes!('10.77.0.2', 22)).toEqual(['ssh-ed25519']);
    expect(s.hostKeys.list()).toEqual([expect.objectContaining({ host: '10.77.0.2', port: 22, keyType: 'ssh-ed25519', key: k1, fingerprint: expect.stringMatching(/^SHA256:/) })]);
    expect(s.hostKeys.forget('10.77.0.2', 22)).toBe(true);
    expect(s.hostKeys.check('10.77.0.2', 22, 'ssh-ed25519', k2)).toBe('unknown');
  });

  it('host keys: refuses a blob whose type is not the claimed one', () => {
    const s = openNodeStores({ dir: tempDir() });
    expect(() => s.hostKeys.trust('h', 22, 'ssh-rsa', ed25519Blob())).toThrow(/blob is ssh-ed25519, not ssh-rsa/);
    expect(() => s.hostKeys.trust('h', 22, 'ssh-ed25519', 'not base64!')).toThrow(/not a base64 SSH public key/);
  });

  it('secrets live in memory only: never in any file', async () => {
    const dir = tempDir();
    const s = openNodeStores({ dir });
    s.profiles.save(labCluster());
    s.secrets.set('lab.director.password', 'correct horse battery');
    expect(s.secrets.has('lab.director.password')).toBe(true);
    expect(await s.secrets.get('lab.director.password')).toBe('correct horse battery');
    expect(readFileSync(path.join(dir, STORE_FILE), 'utf8')).not.toContain('correct horse');
    expect(openNodeStores({ dir }).secrets.has('lab.director.password')).toBe(false);
    expect(s.secrets.knownValues()).toEqual(['correct horse battery']);
    expect(() => s.secrets.set('bad ref', 'x')).toThrow(/secret reference/);
  });

  it('migrates a v1 file on open and writes it back once as v2', () => {
    const dir = tempDir();
    const file = path.join(dir, STORE_FILE);
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, profiles: [labCluster('old')], knownHosts: [] }));
    const s = openNodeStores({ dir });
    expect(JSON.parse(readFileSync(file, 'utf8')).schemaVersion).toBe(2);
    expect(s.profiles.list().map((c) => c.id)).toEqual(['old']);
  });

  it('refuses a newer file and leaves it byte for byte', () => {
    const dir = tempDir();
    const file = path.join(dir, STORE_FILE);
    const text = JSON.stringify({ schemaVersion: 7, whatever: true });
    writeFileSync(file, text);
    expect(() => openNodeStores({ dir })).toThrow(/newer LVS Console/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('defaultConfigDir', () => {
  it('follows LVS_CONSOLE_HOME, XDG_CONFIG_HOME and APPDATA', () => {
    expect(defaultConfigDir({ LVS_CONSOLE_HOME: '/srv/lvs' }, 'linux', '/root')).toBe('/srv/lvs');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux', '/home/u')).toBe('/x/cfg/lvs-console');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.config/lvs-console');
    expect(defaultConfigDir({}, 'linux', '/home/u')).toBe('/home/u/.config/lvs-console');
    expect(defaultConfigDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\lvs-console');
  });

  it('honours the deprecated LVS_CONSOLE_DATA only when LVS_CONSOLE_HOME is unset, and says so', () => {
    expect(defaultConfigDir({ LVS_CONSOLE_DATA: '/old/place' }, 'linux', '/root')).toBe('/old/place');
    expect(defaultConfigDir({ LVS_CONSOLE_DATA: '/old/place', LVS_CONSOLE_HOME: '/srv/lvs' }, 'linux', '/root')).toBe('/srv/lvs');
    expect(configDirNotes({ LVS_CONSOLE_DATA: '/old/place' })).toEqual(['LVS_CONSOLE_DATA is deprecated: rename it to LVS_CONSOLE_HOME (the data folder is /old/place either way).']);
    expect(configDirNotes({ LVS_CONSOLE_DATA: '/old', LVS_CONSOLE_HOME: '/srv/lvs' })[0]).toMatch(/^LVS_CONSOLE_DATA is ignored: LVS_CONSOLE_HOME is set/);
    expect(configDirNotes({ LVS_CONSOLE_HOME: '/srv/lvs' })).toEqual([]);
  });

  it('is what openNodeStores uses without a dir', () => {
    const dir = tempDir();
    vi.stubEnv('LVS_CONSOLE_HOME', dir);
    try {
      expect(openNodeStores().location).toBe(dir);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { emptyStoreDoc, migrateStoreDoc, migrateV1toV2, sshFingerprint, STORE_SCHEMA_VERSION } from '../../../../electron/store/store-document.ts';
import { AppError } from '../../../../shared/result.ts';
import { ed25519Blob, labCluster } from './helpers.ts';

describe('migrateStoreDoc', () => {
  it('starts a fresh current-version document when nothing is stored', () => {
    expect(migrateStoreDoc(undefined, 'f.json')).toEqual({ doc: emptyStoreDoc(), migrated: false });
    expect(emptyStoreDoc().schemaVersion).toBe(STORE_SCHEMA_VERSION);
  });

  it('migrates v1 (profiles array, windowBounds, known_hosts lines) to v2', () => {
    const key = ed25519Blob();
    const v1 = {
      profiles: [labCluster('lab'), labCluster('prod')],
      settings: { theme: 'dark' },
      windowBounds: { x: 10, y: 20, width: 1000, height: 700 },
      knownHosts: [`10.77.0.2 ssh-ed25519 ${key}`, `[rs1.example]:2222 ssh-ed25519 ${key} comment here`],
    };
    const { doc, migrated } = migrateStoreDoc(v1, 'f.json');
    expect(migrated).toBe(true);
    expect(doc.schemaVersion).toBe(2);
    expect(Object.keys(doc.clusters)).toEqual(['lab', 'prod']);
    expect(doc.settings).toEqual({ theme: 'dark' });
    expect(doc.windowState).toEqual({ bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: false });
    expect(Object.keys(doc.hostKeys)).toEqual(['[10.77.0.2]:22', '[rs1.example]:2222']);
    expect(doc.hostKeys['[rs1.example]:2222']![0]).toMatchObject({ keyType: 'ssh-ed25519', key, fingerprint: sshFingerprint(key) });
  });

  it('refuses a v1 document it cannot migrate, naming the file and the entry', () => {
    expect(() => migrateV1toV2({ knownHosts: ['garbage'] }, 'f.json')).toThrow(/^f\.json: knownHosts\[0\] is not "host keytype base64"/);
    expect(() => migrateV1toV2({ profiles: [{ name: 'no id' }] }, 'f.json')).toThrow(/^f\.json: profiles\[0\] has no id/);
  });

  it('refuses a document from a newer version without touching it', () => {
    const e = (() => {
      try {
        migrateStoreDoc({ schemaVersion: 99, clusters: {} }, 'f.json');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('UNSUPPORTED');
    expect((e as AppError).message).toContain('schema 99');
  });

  it.each([[[1, 2]], ['text'], [{ schemaVersion: 'two' }], [{ schemaVersion: 2, clusters: [] }]])('refuses a malformed document %j', (raw) => {
    expect(() => migrateStoreDoc(raw, 'f.json')).toThrow(/^f\.json: /);
  });
});

describe('sshFingerprint', () => {
  it('matches OpenSSH (SHA256 of the blob, unpadded base64)', () => {
    // ssh-keygen -lf prints SHA256:… of the decoded blob; here the blob is 3 bytes "abc" → sha256 known value.
    expect(sshFingerprint(Buffer.from('abc').toString('base64'))).toBe('SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
  });
});

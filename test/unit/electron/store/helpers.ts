/** Shared bits for the store tests: temp folders, a real SSH key blob, a minimal cluster profile. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** A fresh temp folder removed after the test. */
export function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'lvs-store-'));
  dirs.push(d);
  return d;
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** A real ssh-ed25519 public key blob (base64), as in a known_hosts line. */
export function ed25519Blob(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]).toString('base64');
}

/** A minimal valid cluster profile as a user would write it. */
export function labCluster(id = 'lab') {
  return { id, name: 'Lab', director: { host: '10.77.0.2', user: 'root' }, vip: '10.77.0.100', realservers: [{ host: '10.77.0.11' }] };
}

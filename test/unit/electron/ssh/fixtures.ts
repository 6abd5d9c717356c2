/** Shared fixture readers for the SSH tests (test/fixtures/ssh/). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of a file in test/fixtures/ssh/. */
export function fixturePath(name: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'ssh', name);
}

/** Text of a file in test/fixtures/ssh/. */
export function fixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** The keys captured in ssh-keygen-lf-openssh-9.2.txt: comment → {fingerprint, type, base64}. */
export function capturedKeys(): Map<string, { fingerprint: string; type: string; base64: string }> {
  const lines = fixture('ssh-keygen-lf-openssh-9.2.txt').split('\n').filter((l) => l && !l.startsWith('#'));
  const out = new Map<string, { fingerprint: string; type: string; base64: string }>();
  for (let i = 0; i + 1 < lines.length; i += 2) {
    // "256 SHA256:… key-a (ED25519)" then "ssh-ed25519 AAAA… key-a"
    const [, fingerprint, comment] = /^\d+ (SHA256:\S+) (\S+) \(/.exec(lines[i]!)!;
    const [type, base64] = lines[i + 1]!.split(' ');
    out.set(comment!, { fingerprint: fingerprint!, type: type!, base64: base64! });
  }
  return out;
}

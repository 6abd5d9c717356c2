import { describe, expect, it } from 'vitest';
import { algorithmsFor, LEGACY_ALGORITHMS } from '../../../../electron/ssh/algorithms.ts';

describe('algorithmsFor', () => {
  it('leaves ssh2 defaults alone when nothing is needed', () => {
    expect(algorithmsFor({ legacy: false })).toBeUndefined();
  });
  it('legacy switch appends exactly the documented algorithms (never diffie-hellman-group1-sha1)', () => {
    const a = algorithmsFor({ legacy: true })!;
    const names = (ops?: { append?: RegExp[] }) => (ops?.append ?? []).map((r) => r.source.replace(/^\^|\$$/g, '').replace(/\\/g, ''));
    expect(names(a.kex)).toEqual([...LEGACY_ALGORITHMS.kex]);
    expect(names(a.serverHostKey)).toEqual(['ssh-rsa', 'ssh-dss']);
    expect(names(a.cipher)).toEqual(['aes128-cbc', 'aes256-cbc', '3des-cbc']);
    expect(names(a.hmac)).toEqual(['hmac-sha1', 'hmac-md5']);
    expect(JSON.stringify(Object.values(a).flatMap((o) => (o.append ?? []).map(String)))).not.toContain('group1-sha1');
  });
  it('moves known host key types to the front (ssh-rsa keys as rsa-sha2-512/256 and ssh-rsa)', () => {
    const a = algorithmsFor({ legacy: false, knownKeyTypes: ['ssh-rsa'] })!;
    expect(a.serverHostKey!.remove).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(a.serverHostKey!.prepend!.map(String)).toEqual(['/^rsa-sha2-512$/', '/^rsa-sha2-256$/', '/^ssh-rsa$/']);
    expect(a.kex).toBeUndefined();
  });
  it('never enables ssh-dss just because a DSA key is known, unless legacy is on', () => {
    expect(algorithmsFor({ legacy: false, knownKeyTypes: ['ssh-dss'] })).toBeUndefined();
    const a = algorithmsFor({ legacy: true, knownKeyTypes: ['ssh-dss'] })!;
    expect(a.serverHostKey!.prepend!.map(String)).toEqual(['/^ssh-dss$/']);
    expect(a.serverHostKey!.append!.map(String)).toEqual(['/^ssh-rsa$/', '/^ssh-dss$/']);
  });
});

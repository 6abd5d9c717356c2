import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, decodeReply, encodeQuery, hexToBytes, XDMCP_OPCODES } from '../../../../electron/health/xdmcp.ts';

const FIX = join(__dirname, '../../../fixtures/xdmcp');
const fixture = (name: string) => hexToBytes(readFileSync(join(FIX, name), 'utf8'));

/** A manager packet built field by field (independently of the decoder): header, then ARRAY8s. */
function packet(opcode: number, fields: Uint8Array[]): Uint8Array {
  const body = fields.flatMap((f) => [f.length >> 8, f.length & 0xff, ...f]);
  return Uint8Array.from([0, 1, opcode >> 8, opcode & 0xff, body.length >> 8, body.length & 0xff, ...body]);
}
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('XDMCP Query', () => {
  it('with no authentication names is 00 01 00 02 00 01 00 (what LAB.md saw xdm answer)', () => {
    expect(bytesToHex(encodeQuery())).toBe('00 01 00 02 00 01 00');
  });
  it('carries authentication names as an ARRAYofARRAY8 with the length xdm checks (1 + Σ 2 + n)', () => {
    const q = encodeQuery(['XDM-AUTHENTICATION-1', 'MIT-MAGIC-COOKIE-1']);
    expect(bytesToHex(q.subarray(0, 7))).toBe('00 01 00 02 00 2b 02');
    expect(q.length - 6).toBe(1 + 2 + 20 + 2 + 18);
    expect(bytesToHex(q.subarray(7, 9))).toBe('00 14');
  });
});

describe('XDMCP replies captured from a real xdm', () => {
  it('decodes the Willing', () => {
    const w = fixture('willing.xdm-1.1.11.hex');
    expect(bytesToHex(w.subarray(0, 4))).toBe('00 01 00 05');
    expect(decodeReply(w)).toEqual({ kind: 'willing', authenticationName: '', hostname: 'xdmcp-fixture', status: '0 users, load: 1.40, 0.88, 0.72' });
  });
  it('decodes the Unwilling', () => {
    expect(decodeReply(fixture('unwilling.xdm-1.1.11.hex'))).toEqual({ kind: 'unwilling', hostname: 'xdmcp-fixture', status: 'Display not authorized to connect' });
  });
  it('refuses the captured Willing cut short, padded, or with another version', () => {
    const w = fixture('willing.xdm-1.1.11.hex');
    expect(decodeReply(w.subarray(0, w.length - 1))).toMatchObject({ kind: 'invalid', why: expect.stringMatching(/header says 50 data bytes, packet has 49/) });
    expect(decodeReply(Uint8Array.from([...w, 0]))).toMatchObject({ kind: 'invalid' });
    expect(decodeReply(Uint8Array.from([0, 2, ...w.subarray(2)]))).toEqual({ kind: 'invalid', why: 'version 2, not 1' });
    expect(decodeReply(w.subarray(0, 4))).toMatchObject({ kind: 'invalid', why: expect.stringMatching(/shorter than the 6-byte header/) });
  });
});

describe('XDMCP decoder, properties', () => {
  const field = fc.uint8Array({ maxLength: 300 });
  it('reads back any Willing or Unwilling built field by field', () => {
    fc.assert(
      fc.property(fc.boolean(), field, field, field, (willing, auth, h, s) => {
        const p = willing ? packet(XDMCP_OPCODES.Willing, [auth, h, s]) : packet(XDMCP_OPCODES.Unwilling, [h, s]);
        const r = decodeReply(p);
        expect(r.kind).toBe(willing ? 'willing' : 'unwilling');
        if (r.kind === 'willing') expect(latin1(r.authenticationName)).toEqual(auth);
        if (r.kind === 'willing' || r.kind === 'unwilling') {
          expect(latin1(r.hostname)).toEqual(h);
          expect(latin1(r.status)).toEqual(s);
        }
      }),
    );
  });
  it('never throws, and calls nothing willing unless it is a complete version-1 opcode-5 packet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const r = decodeReply(bytes);
        if (r.kind === 'willing') {
          expect(bytesToHex(bytes.subarray(0, 4))).toBe('00 01 00 05');
          expect(((bytes[4]! << 8) | bytes[5]!) + 6).toBe(bytes.length);
        }
      }),
      { numRuns: 5000 },
    );
  });
  it('calls other opcodes "other" and a Query (what a display sends) is not an answer', () => {
    expect(decodeReply(encodeQuery())).toEqual({ kind: 'other', opcode: 2 });
    expect(decodeReply(packet(99, []))).toEqual({ kind: 'invalid', why: 'unknown opcode 99' });
  });
  it('hex helpers round-trip and refuse odd digits', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      expect(hexToBytes(bytesToHex(b))).toEqual(b);
    }));
    expect(() => hexToBytes('0 1 2')).toThrow(/not hex bytes/);
    expect(hexToBytes('00:01 0A')).toEqual(Uint8Array.from([0, 1, 10]));
  });
});

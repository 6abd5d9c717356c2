/**
 * XDMCP, the little of it a health check needs: encode a Query, decode the manager's answer.
 *
 * From the X Display Manager Control Protocol, X.Org Standard, version 1.1 (Keith Packard; libXdmcp doc/xdmcp.xml):
 *   - every integer is big-endian, no padding; CARD8 = 1 byte, CARD16 = 2 bytes;
 *   - ARRAY8 = CARD16 n followed by n CARD8; ARRAYofARRAY8 = CARD8 n followed by n ARRAY8;
 *   - every packet: CARD16 version (1), CARD16 opcode, CARD16 length of the data that follows the 6-byte header;
 *     "Packets that have too little or too much data should be ignored";
 *   - Query (display → manager): Authentication Names: ARRAYofARRAY8; a manager answers Willing or Unwilling;
 *   - Willing (manager → display): Authentication Name, Hostname, Status: ARRAY8 each;
 *   - Unwilling (manager → display): Hostname, Status: ARRAY8 each (Status says why).
 * Opcodes from libXdmcp's <X11/Xdmcp.h> (xdmOpCode: BROADCAST_QUERY = 1, QUERY, INDIRECT_QUERY, FORWARD_QUERY, WILLING,
 * UNWILLING, REQUEST, ACCEPT, DECLINE, MANAGE, REFUSE, FAILED, KEEPALIVE, ALIVE = 14); XDM_MAX_MSGLEN = 8192.
 * xdm's xdmcp.c (direct_query_respond) answers a Query only when its length is exactly 1 + Σ(2 + name length), and
 * send_willing / send_unwilling write exactly the fields above.
 */

/** XDMCP protocol version (XDM_PROTOCOL_VERSION). */
export const XDMCP_VERSION = 1;
/** The UDP port a display manager listens on (XDM_UDP_PORT). */
export const XDMCP_PORT = 177;
/** The largest XDMCP message (XDM_MAX_MSGLEN). */
export const XDMCP_MAX_MSGLEN = 8192;

/** XDMCP opcodes (libXdmcp xdmOpCode). */
export const XDMCP_OPCODES = {
  BroadcastQuery: 1,
  Query: 2,
  IndirectQuery: 3,
  ForwardQuery: 4,
  Willing: 5,
  Unwilling: 6,
  Request: 7,
  Accept: 8,
  Decline: 9,
  Manage: 10,
  Refuse: 11,
  Failed: 12,
  KeepAlive: 13,
  Alive: 14,
} as const;

/**
 * A Query packet asking for the given authentication names (none by default: what `X -query` sends without
 * XDM-AUTHENTICATION-1). With no names it is the 7 bytes 00 01 00 02 00 01 00.
 */
export function encodeQuery(authenticationNames: readonly string[] = []): Uint8Array {
  if (authenticationNames.length > 255) throw new RangeError('XDMCP Query: at most 255 authentication names');
  const names = authenticationNames.map((n) => new TextEncoder().encode(n));
  for (const n of names) if (n.length > 0xffff) throw new RangeError('XDMCP Query: an authentication name is longer than 65535 bytes');
  const length = 1 + names.reduce((s, n) => s + 2 + n.length, 0);
  const out = new Uint8Array(6 + length);
  const v = new DataView(out.buffer);
  v.setUint16(0, XDMCP_VERSION);
  v.setUint16(2, XDMCP_OPCODES.Query);
  v.setUint16(4, length);
  out[6] = names.length;
  let at = 7;
  for (const n of names) {
    v.setUint16(at, n.length);
    out.set(n, at + 2);
    at += 2 + n.length;
  }
  return out;
}

/** The manager's answer to a Query, as decoded. Text fields are decoded as Latin-1 (the protocol gives them no charset). */
export type XdmcpReply =
  /** Willing: the manager will serve this display (not a promise: Request may still be declined). */
  | { kind: 'willing'; authenticationName: string; hostname: string; status: string }
  /** Unwilling: the manager refuses this display (e.g. not in its Xaccess); status says why. */
  | { kind: 'unwilling'; hostname: string; status: string }
  /** A well-formed XDMCP packet of another opcode (not an answer to Query). */
  | { kind: 'other'; opcode: number }
  /** Not an XDMCP version-1 packet, or its length does not add up: `why` says what is wrong. */
  | { kind: 'invalid'; why: string };

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);

/**
 * Decodes one datagram received after a Query. Never throws: anything that is not a complete, exactly-sized
 * Willing/Unwilling of version 1 comes back as `other` or `invalid` (the spec says such packets are ignored).
 */
export function decodeReply(bytes: Uint8Array): XdmcpReply {
  if (bytes.length < 6) return { kind: 'invalid', why: `${bytes.length} bytes, shorter than the 6-byte header` };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = v.getUint16(0);
  const opcode = v.getUint16(2);
  const length = v.getUint16(4);
  if (version !== XDMCP_VERSION) return { kind: 'invalid', why: `version ${version}, not ${XDMCP_VERSION}` };
  if (bytes.length !== 6 + length) return { kind: 'invalid', why: `header says ${length} data bytes, packet has ${bytes.length - 6}` };
  if (opcode !== XDMCP_OPCODES.Willing && opcode !== XDMCP_OPCODES.Unwilling) {
    return opcode >= 1 && opcode <= 14 ? { kind: 'other', opcode } : { kind: 'invalid', why: `unknown opcode ${opcode}` };
  }
  const fields: string[] = [];
  let at = 6;
  const want = opcode === XDMCP_OPCODES.Willing ? 3 : 2;
  for (let i = 0; i < want; i++) {
    if (at + 2 > bytes.length) return { kind: 'invalid', why: `ARRAY8 ${i + 1} of ${want} is cut off` };
    const n = v.getUint16(at);
    if (at + 2 + n > bytes.length) return { kind: 'invalid', why: `ARRAY8 ${i + 1} of ${want} says ${n} bytes, ${bytes.length - at - 2} left` };
    fields.push(latin1(bytes.subarray(at + 2, at + 2 + n)));
    at += 2 + n;
  }
  if (at !== bytes.length) return { kind: 'invalid', why: `${bytes.length - at} bytes after the last field` };
  return opcode === XDMCP_OPCODES.Willing
    ? { kind: 'willing', authenticationName: fields[0]!, hostname: fields[1]!, status: fields[2]! }
    : { kind: 'unwilling', hostname: fields[0]!, status: fields[1]! };
}

/** Hex digits (any case, optional spaces or colons) → bytes; throws a RangeError naming what is wrong. */
export function hexToBytes(hex: string): Uint8Array {
  const h = hex.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(h)) throw new RangeError(`not hex bytes: "${hex.length > 40 ? `${hex.slice(0, 40)}…` : hex}"`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes → lowercase hex pairs separated by one space ("00 01 00 02"). */
export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

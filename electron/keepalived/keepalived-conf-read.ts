/**
 * The IPVS table a keepalived.conf describes (its virtual_server and real_server blocks), for drift: what the director's
 * runtime config says next to the profile and the kernel table. Reads keepalived.conf(5)'s block syntax as keepalived
 * does for these keywords: words separated by blanks, `{` `}` blocks, `#` and `!` comments to the end of the line,
 * quoted strings; other blocks and keywords are skipped. Only the parts the table needs: virtual_server ADDR PORT (or
 * fwmark: skipped), protocol, lvs_sched, lvs_method, persistence_timeout / persistence_granularity, real_server ADDR
 * PORT with its weight (default 1). Pure.
 */
import type { IpvsDestination, IpvsForward, IpvsService, IpvsTable } from '../../shared/model/ipvs.ts';
import { AppError } from '../../shared/result.ts';

const METHOD: Record<string, IpvsForward> = { NAT: 'masq', DR: 'route', TUN: 'tunnel' };

/** Tokens with their line numbers: words, `{` and `}`. */
function tokens(text: string): { t: string; line: number }[] {
  const out: { t: string; line: number }[] = [];
  text.split('\n').forEach((raw, i) => {
    let line = raw;
    // comments: # or ! to the end of the line, outside quotes
    let q = false;
    for (let k = 0; k < line.length; k++) {
      if (line[k] === '"') q = !q;
      else if (!q && (line[k] === '#' || line[k] === '!')) {
        line = line.slice(0, k);
        break;
      }
    }
    for (const m of line.matchAll(/"[^"]*"|[{}]|[^\s{}"]+/g)) out.push({ t: m[0].replace(/^"|"$/g, ''), line: i + 1 });
  });
  return out;
}

/** The table keepalived builds from `text` while every check passes. PARSE_ERROR naming the line for a broken block. */
export function readKeepalivedTable(text: string, file = 'keepalived.conf'): IpvsTable {
  const toks = tokens(text);
  const services: IpvsService[] = [];
  let i = 0;
  const bad = (line: number, why: string): never => {
    throw new AppError('PARSE_ERROR', `${file} line ${line}: ${why}`);
  };
  /** Skips a block starting at toks[i] === '{'; returns the index after its '}'. */
  const skipBlock = (at: number): number => {
    let depth = 0;
    for (let k = at; k < toks.length; k++) {
      if (toks[k]!.t === '{') depth++;
      else if (toks[k]!.t === '}' && --depth === 0) return k + 1;
    }
    return bad(toks[at]?.line ?? 0, 'a block is not closed');
  };
  /** The words of one statement from i up to a '{' or the end of the line. */
  const statement = (at: number): { words: string[]; next: number } => {
    const line = toks[at]!.line;
    const words: string[] = [];
    let k = at;
    while (k < toks.length && toks[k]!.line === line && toks[k]!.t !== '{' && toks[k]!.t !== '}') words.push(toks[k++]!.t);
    return { words, next: k };
  };
  while (i < toks.length) {
    const { words, next } = statement(i);
    if (words.length === 0) {
      i = toks[i]!.t === '{' ? skipBlock(i) : i + 1;
      continue;
    }
    const hasBlock = toks[next]?.t === '{';
    if (words[0] !== 'virtual_server' || !hasBlock) {
      i = hasBlock ? skipBlock(next) : next;
      continue;
    }
    const line = toks[i]!.line;
    const end = skipBlock(next);
    if (words[1] === 'fwmark' || words[1] === 'group') {
      i = end;
      continue;
    }
    const address = words[1];
    const port = Number(words[2]);
    if (!address || !Number.isInteger(port)) bad(line, `virtual_server ${words.slice(1).join(' ')}: not ADDRESS PORT`);
    const svc: IpvsService = { protocol: 'tcp', address: address!, port, family: address!.includes(':') ? 'inet6' : 'inet', scheduler: 'wlc', destinations: [] };
    let method: IpvsForward = 'masq';
    let timeout: number | undefined;
    let granularity: string | undefined;
    const reals: { address: string; port: number; weight: number }[] = [];
    let k = next + 1;
    while (k < end - 1) {
      const st = statement(k);
      const sub = toks[st.next]?.t === '{';
      const [kw, a, b] = st.words;
      if (kw === 'real_server' && sub) {
        const rEnd = skipBlock(st.next);
        let weight = 1;
        for (let x = st.next + 1; x < rEnd - 1; ) {
          const s2 = statement(x);
          if (s2.words[0] === 'weight') weight = Number(s2.words[1]);
          x = toks[s2.next]?.t === '{' ? skipBlock(s2.next) : Math.max(s2.next, x + 1);
        }
        if (!a || !Number.isInteger(Number(b)) || !Number.isInteger(weight)) bad(toks[k]!.line, `real_server ${st.words.slice(1).join(' ')}: not ADDRESS PORT with a weight`);
        reals.push({ address: a!, port: Number(b), weight });
        k = rEnd;
        continue;
      }
      if (kw === 'protocol') svc.protocol = a === 'UDP' ? 'udp' : a === 'SCTP' ? 'sctp' : 'tcp';
      else if (kw === 'lvs_sched' && a) svc.scheduler = a;
      else if (kw === 'lvs_method' && a) method = METHOD[a] ?? 'masq';
      else if (kw === 'persistence_timeout') timeout = Number(a);
      else if (kw === 'persistence_granularity') granularity = a;
      k = sub ? skipBlock(st.next) : Math.max(st.next, k + 1);
    }
    if (timeout !== undefined) svc.persistent = granularity !== undefined ? { timeout, netmask: granularity } : { timeout };
    svc.destinations = reals.map((r): IpvsDestination => ({ address: r.address, port: r.port, forward: method, weight: r.weight }));
    // keepalived ignores a virtual_server without real servers
    if (svc.destinations.length) services.push(svc);
    i = end;
  }
  return { services };
}

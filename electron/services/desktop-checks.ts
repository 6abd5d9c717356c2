/**
 * The doctor's desktop end of the path, done by the console itself (no SSH): is anything answering on the VIP, does a
 * telnet banner come back through VIP:23 (a minimal telnet client: every option the server asks for is refused, so
 * the login prompt follows), does an XDMCP Query to VIP:177 get Willing (health/xdmcp.ts), and which X server and
 * telnet client Connect me would start (launch/detect.ts). Every check has its own timeout and they run at once.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { DesktopObs } from '../doctor/model.ts';
import { decodeReply, encodeQuery, XDMCP_PORT } from '../health/xdmcp.ts';
import { detectLaunchers } from '../launch/detect.ts';
import type { DetectReaders, LauncherOverride } from '../launch/types.ts';

/** What the desktop checks need. */
export interface DesktopCheckInput {
  vip: string;
  /** TCP service ports of the profile (a connect to any tells whether the VIP answers). */
  tcpPorts: readonly number[];
  /** Whether to ask XDMCP. */
  xdmcp: boolean;
  /** How to find launchers (node-readers.ts), and the user's overrides. */
  readers?: DetectReaders;
  overrides?: Readonly<Record<string, LauncherOverride>>;
  /** Per check (default 4000 ms). */
  timeoutMs?: number;
}

const IAC = 255;
const DONT = 254;
const DO = 253;
const WONT = 252;
const WILL = 251;
const SB = 250;
const SE = 240;

/**
 * Telnet to host:port: refuses every option (DO → WONT, WILL → DONT), skips subnegotiations, and returns the text the
 * server printed once it shows a login prompt (or what came within the timeout). `answered`: the TCP connect was
 * accepted or refused by something (a RST is an answer too: the address is up). `spoke`: the server sent something
 * (a telnetd opens with its option negotiation at once; the prompt comes later, from login(1), and can be slow on a
 * loaded realserver).
 */
export function telnetBanner(host: string, port: number, timeoutMs: number): Promise<{ answered: boolean; spoke: boolean; text: string }> {
  return new Promise((resolve) => {
    let text = '';
    let answered = false;
    let spoke = false;
    let done = false;
    const sock = connect({ host, port });
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(t);
      sock.destroy();
      resolve({ answered, spoke, text });
    };
    const t = setTimeout(finish, timeoutMs);
    sock.on('connect', () => void (answered = true));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') answered = true;
      finish();
    });
    sock.on('close', finish);
    let sub = false;
    sock.on('data', (d: Buffer) => {
      spoke = true;
      const reply: number[] = [];
      for (let i = 0; i < d.length; i++) {
        const b = d[i]!;
        if (sub) {
          if (b === IAC && d[i + 1] === SE) {
            sub = false;
            i++;
          }
          continue;
        }
        if (b !== IAC) {
          text += String.fromCharCode(b);
          continue;
        }
        const cmd = d[i + 1];
        if (cmd === DO || cmd === DONT || cmd === WILL || cmd === WONT) {
          const opt = d[i + 2] ?? 0;
          if (cmd === DO) reply.push(IAC, WONT, opt);
          if (cmd === WILL) reply.push(IAC, DONT, opt);
          i += 2;
        } else if (cmd === SB) {
          sub = true;
          i += 1;
        } else i += 1;
      }
      if (reply.length) sock.write(Buffer.from(reply));
      if (/login:\s*$/.test(text.replace(/\r/g, ''))) finish();
    });
  });
}

/** Sends an XDMCP Query to host:177 (twice, as UDP may drop one) and says whether a Willing came back in time. */
export function xdmcpWilling(host: string, timeoutMs: number): Promise<{ answered: boolean; willing: boolean; hostname?: string }> {
  return new Promise((resolve) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    let done = false;
    const finish = (r: { answered: boolean; willing: boolean; hostname?: string }) => {
      if (done) return;
      done = true;
      clearTimeout(t);
      clearTimeout(again);
      sock.close();
      resolve(r);
    };
    const t = setTimeout(() => finish({ answered: false, willing: false }), timeoutMs);
    const q = encodeQuery();
    const send = () => sock.send(q, XDMCP_PORT, host, () => undefined);
    const again = setTimeout(send, Math.min(1000, timeoutMs / 2));
    sock.on('error', () => finish({ answered: false, willing: false }));
    sock.on('message', (m, from) => {
      // Only an answer from the address asked counts: a realserver answering straight from its own address (its subnet
      // route back) has bypassed the director's NAT, and an X server would not get its login screen that way.
      if (from.address !== host) return;
      const r = decodeReply(new Uint8Array(m));
      finish({ answered: true, willing: r.kind === 'willing', ...(r.kind === 'willing' || r.kind === 'unwilling' ? { hostname: r.hostname } : {}) });
    });
    send();
  });
}

/** The desktop's observations for the doctor. */
export async function checkDesktop(input: DesktopCheckInput): Promise<DesktopObs> {
  const timeoutMs = input.timeoutMs ?? 4000;
  const telnet = input.tcpPorts.includes(23);
  const [tcp, x, launchers] = await Promise.all([
    Promise.all(input.tcpPorts.map((p) => (p === 23 ? telnetBanner(input.vip, p, timeoutMs) : telnetBanner(input.vip, p, Math.min(timeoutMs, 2000))))),
    input.xdmcp ? xdmcpWilling(input.vip, timeoutMs) : undefined,
    input.readers ? detectLaunchers(input.readers, input.overrides ?? {}) : undefined,
  ]);
  const banner = telnet ? tcp[input.tcpPorts.indexOf(23)]! : undefined;
  const line = banner ? (/(\S[^\r\n]*login:)\s*$/.exec(banner.text.replace(/\r/g, ''))?.[1] ?? null) : undefined;
  const obs: DesktopObs = { vipReachable: tcp.some((r) => r.answered) || (x?.answered ?? false) };
  if (banner) {
    obs.telnetBanner = line ?? null;
    obs.telnetSpoke = banner.spoke;
  }
  if (x) obs.xdmcpWilling = x.willing;
  if (launchers) {
    obs.xServer = launchers.launchers.find((l) => l.kind === 'xdmcp')?.path ?? null;
    obs.telnetClient = launchers.launchers.find((l) => l.kind === 'telnet')?.path ?? null;
  }
  return obs;
}

import { AppError } from '../../shared/result.ts';

/** Display managers that answer XDMCP: xdm and its derivatives on Linux, CDE's dtlogin on HP-UX. */
const DISPLAY_MANAGERS = { linux: ['xdm', 'gdm', 'gdm3', 'kdm', 'sddm', 'lightdm', 'wdm'], hpux: ['dtlogin'] } as const;

/** The argv that lists process names, per OS: `ps -e -o comm=` (Linux), `ps -e` (HP-UX; COMMAND is the last column). */
export function processListArgv(os: 'linux' | 'hpux'): string[] {
  return os === 'linux' ? ['ps', '-e', '-o', 'comm='] : ['/usr/bin/ps', '-e'];
}

/**
 * POSIX sh line: `u` = what `uname -s` prints, `ur` = its status; on Linux read from /proc (/proc/sys/kernel/ostype is
 * "Linux") instead of starting uname, since the doctor and the realserver check run on every realserver at once.
 */
export const OS_NAME_LINE = 'if [ -r /proc/sys/kernel/ostype ]; then read -r u < /proc/sys/kernel/ostype; ur=$?; else u=$(uname -s); ur=$?; fi';

/**
 * POSIX sh function `pscomm`: every process's name, one per line, read from /proc/PID/comm by the shell: what
 * `ps -e -o comm=` prints, without starting ps (a program costs milliseconds on a loaded host, and the doctor and the
 * realserver check run on every realserver at once). Linux only; without /proc it runs ps.
 */
export const LINUX_PROCESS_NAMES_FUNCTION =
  'pscomm() { [ -d /proc/1 ] || { ps -e -o comm=; return; }; for p in /proc/[0-9]*; do c=; read -r c 2>/dev/null < "$p/comm" && printf "%s\\n" "$c"; done; return 0; }';

/** The argv that lists listening sockets: `ss -Hltun` (Linux iproute2), `netstat -an` (HP-UX). */
export function listenArgv(os: 'linux' | 'hpux'): string[] {
  return os === 'linux' ? ['ss', '-H', '-l', '-t', '-u', '-n'] : ['/usr/bin/netstat', '-an'];
}

/** Which display manager is running, from the process list (undefined when none is). */
export function findDisplayManager(os: 'linux' | 'hpux', psOutput: string): string | undefined {
  const names = new Set(
    psOutput
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !/^PID\b/.test(l))
      .map((l) => (os === 'linux' ? l : l.split(/\s+/).pop()!))
      .map((n) => n.replace(/^.*\//, '')),
  );
  return DISPLAY_MANAGERS[os].find((dm) => names.has(dm));
}

/** One listening socket. */
export interface Listener {
  protocol: 'tcp' | 'udp';
  port: number;
}

/**
 * Parses listening sockets.
 * Linux `ss -H -l -t -u -n`:  "tcp   LISTEN 0  128  0.0.0.0:23  0.0.0.0:*"  /  "udp   UNCONN 0  0  *:177  *:*"
 *   (Netid State Recv-Q Send-Q Local:Port Peer:Port [Process])
 * HP-UX `netstat -an`:        "tcp        0      0  *.23                   *.*                    LISTEN"
 *                             "udp        0      0  *.177                  *.*"
 *   (Proto Recv-Q Send-Q Local Foreign [State]); other sections (Active UNIX domain sockets) end the scan.
 */
export function parseListeners(os: 'linux' | 'hpux', text: string): Listener[] {
  const out: Listener[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const tok = line.split(/\s+/);
    if (os === 'linux') {
      if (!/^(tcp|udp)$/.test(tok[0]!) || tok.length < 6) throw new AppError('PARSE_ERROR', `ss: line ${i + 1}: unexpected "${line}"`);
      const port = Number(/:(\d+)$/.exec(tok[4]!)?.[1]);
      if (!Number.isInteger(port)) throw new AppError('PARSE_ERROR', `ss: line ${i + 1}: no local port in "${line}"`);
      out.push({ protocol: tok[0] as 'tcp' | 'udp', port });
    } else {
      if (/^Active UNIX/.test(line)) break;
      if (/^(Active Internet|Proto\s)/.test(line)) continue;
      if (!/^(tcp|udp)6?$/.test(tok[0]!)) throw new AppError('PARSE_ERROR', `netstat -an: line ${i + 1}: unexpected "${line}"`);
      const proto = tok[0]!.startsWith('tcp') ? 'tcp' : 'udp';
      if (proto === 'tcp' && tok[5] !== 'LISTEN') continue;
      if (proto === 'udp' && tok[4] !== '*.*') continue;
      const port = Number(/\.(\d+)$/.exec(tok[3] ?? '')?.[1]);
      if (!Number.isInteger(port)) throw new AppError('PARSE_ERROR', `netstat -an: line ${i + 1}: no local port in "${line}"`);
      out.push({ protocol: proto, port });
    }
  }
  return out;
}

import { AppError } from '../../shared/result.ts';
import { parseIfAddrs, type IfAddr } from './iface-addr-parse.ts';

/**
 * One exec that tells how a realserver boots and what of lvs-route is installed: the OS (`uname -s`), whether systemd
 * runs (PID 1's name, /run/systemd/system as sd_booted(3) checks it), which init directories exist, which tools, and
 * for every place an lvs-route file or link can be: its mode, `cksum` and size, or the link's target. A constant POSIX
 * sh script (dash, busybox, HP-UX /sbin/sh); its one argument, the LVS interface, travels as $1 (never in the text).
 * It also lists that interface's IPv4 addresses, from which the boot script's subnets come (the live fix may already have
 * removed the subnet routes, but the kernel re-adds them at every boot from these addresses).
 */

/** Every place boot-layout.ts may install a file. */
export const BOOT_FILE_PATHS = [
  '/etc/rc.d/init.d/lvs-route',
  '/etc/init.d/lvs-route',
  '/sbin/init.d/lvs-route',
  '/etc/rc.config.d/lvs-route',
  '/usr/local/sbin/lvs-route',
  '/etc/systemd/system/lvs-route.service',
] as const;

/** Init directories the layouts use. */
export const BOOT_DIRS = [
  '/etc/rc.d/init.d',
  '/etc/rc.d/rc2.d',
  '/etc/rc.d/rc3.d',
  '/etc/rc.d/rc4.d',
  '/etc/rc.d/rc5.d',
  '/etc/init.d',
  '/etc/rc2.d',
  '/etc/rc3.d',
  '/etc/rc4.d',
  '/etc/rc5.d',
  '/sbin/init.d',
  '/sbin/rc2.d',
  '/sbin/rc3.d',
  '/etc/rc.config.d',
  '/etc/systemd/system',
  '/usr/local/sbin',
] as const;

/** Tools looked for at fixed paths (`command -v` is not in HP-UX 10.20's sh). */
export const BOOT_TOOLS = ['/sbin/ip', '/bin/ip', '/usr/sbin/ip', '/usr/bin/ip', '/bin/systemctl', '/usr/bin/systemctl', '/usr/bin/netstat', '/usr/sbin/route'] as const;

/**
 * The probe ($1 = the LVS interface). Output, one fact per line:
 *   uname NAME | pid1 COMM | systemd-booted | dir PATH | tool PATH
 *   addr LINE                    (each line of `ip -o -4 addr show dev IF`, or of HP-UX `ifconfig IF`)
 *   file PATH MODE SIZE          (MODE and SIZE as ONE `ls -ld` of every file and link prints them, e.g. -rwxr-xr-x 2056), then
 *   | LINE …                     each line of the file behind "| " (the shell; sed on HP-UX), then an empty line and
 *   endfile PATH                 (the content comes back whole: `cksum` is not in busybox, and the files are small)
 *   link PATH TARGET             (any [SK]NNlvs-route in an rc directory, and systemd's wants link)
 *   enabled STATE                (`systemctl is-enabled lvs-route.service`, only when systemd runs)
 */
export const BOOT_PROBE_SCRIPT = [
  // $2, when given, is what `uname -s` says (the doctor's collector read it already: one process less per realserver)
  'ifname=$1; os=$2',
  'PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH',
  '[ -n "$os" ] || os=$(uname -s)',
  'echo "uname $os"',
  // builtins and parameter expansions where programs did the same: every process costs milliseconds on a loaded host,
  // and the doctor runs this on every realserver at once. At most: uname (unless told), ip (or ifconfig), ONE ls for
  // every file and link found, and systemctl where systemd runs.
  '[ -r /proc/1/comm ] && { p1=; read -r p1 < /proc/1/comm; echo "pid1 $p1"; }',
  '[ -d /run/systemd/system ] && echo systemd-booted',
  `for d in ${BOOT_DIRS.join(' ')}; do [ -d "$d" ] && echo "dir $d"; done`,
  `for t in ${BOOT_TOOLS.join(' ')}; do [ -x "$t" ] && echo "tool $t"; done`,
  // every line behind a prefix, by the shell (a final line without a newline too): $1 prefix, the text on stdin
  // (HP-UX's POSIX sh has no printf builtin: sed there, one process instead of one per line)
  'if [ "$os" = HP-UX ]; then pre() { sed "s/^/$1/"; }',
  'else pre() { while IFS= read -r x; do printf "%s%s\\n" "$1" "$x"; done; [ -z "$x" ] || printf "%s%s" "$1" "$x"; }; fi',
  'if [ "$os" = HP-UX ]; then a=$(/usr/sbin/ifconfig "$ifname" 2>/dev/null); else a=$(ip -o -4 addr show dev "$ifname" 2>/dev/null); fi',
  '[ -z "$a" ] || pre "addr " <<EOF',
  '$a',
  'EOF',
  'files= links=',
  `for f in ${BOOT_FILE_PATHS.join(' ')}; do if [ -f "$f" ] && [ ! -L "$f" ]; then files="$files $f"; fi; done`,
  'for l in /etc/rc.d/rc?.d/[SK][0-9]*lvs-route /etc/rc?.d/[SK][0-9]*lvs-route /sbin/rc?.d/[SK][0-9]*lvs-route /etc/systemd/system/*.wants/lvs-route.service; do',
  '  [ -L "$l" ] && links="$links $l"',
  'done',
  // one ls for all (C locale, no TIME_STYLE: "MODE LINKS OWNER GROUP SIZE MON DAY TIME PATH [-> TARGET]"); a file's
  // line is the regular file's (-…), never a link's whose absolute target is that file (HP-UX's rc links)
  'ls=',
  'if [ -n "$files$links" ]; then unset TIME_STYLE; set -f; ls=$(LC_ALL=C ls -ld $files $links 2>/dev/null); set +f; fi',
  'for f in $files; do',
  '  while IFS= read -r line; do',
  '    case $line in',
  '      -*" $f") set -f; set -- $line; set +f; m=$1; echo "file $f ${m%"${m#??????????}"} $5"; pre "| " < "$f"; echo; echo "endfile $f" ;;',
  '    esac',
  '  done <<EOF',
  '$ls',
  'EOF',
  'done',
  'for l in $links; do',
  '  while IFS= read -r line; do case $line in l*" $l -> "*) echo "link $l ${line##* -> }" ;; esac; done <<EOF',
  '$ls',
  'EOF',
  'done',
  'if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo "enabled $(systemctl is-enabled lvs-route.service 2>/dev/null)"; fi',
  'exit 0',
].join('\n');

/** argv of the probe exec for the LVS interface `netIf`. */
export function bootProbeArgv(netIf: string): string[] {
  if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(netIf)) throw new Error(`boot probe: bad interface name ${netIf}`);
  return ['sh', '-c', BOOT_PROBE_SCRIPT, 'lvs-console-boot-probe', netIf];
}

/** One file as the probe saw it. */
export interface ProbedFile {
  /** Octal permission bits, e.g. '755'. */
  mode: string;
  /** Size in bytes (tells a missing final newline apart). */
  size: number;
  /** The text, each line ending with a newline. */
  content: string;
}

/** What the probe found. */
export interface BootProbe {
  uname: string;
  /** PID 1's command name (Linux only). */
  pid1?: string;
  /** /run/systemd/system exists: systemd is the running init. */
  systemdBooted: boolean;
  dirs: string[];
  tools: string[];
  files: Record<string, ProbedFile>;
  /** Link path → its target as `ls -ld` shows it. */
  links: Record<string, string>;
  /** `systemctl is-enabled lvs-route.service` ('' when the unit is unknown to systemd). */
  enabled?: string;
  /** The LVS interface's IPv4 addresses. */
  addrs: IfAddr[];
}

/** `-rwxr-xr-x` → '755' (setuid/sticky bits are not ours to keep: s/t count as x). */
export function modeFromLs(perm: string): string {
  if (!/^[-dlcbps][-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT]$/.test(perm)) throw new Error(`unexpected mode "${perm}"`);
  const bits = perm.slice(1);
  let out = '';
  for (let i = 0; i < 9; i += 3) {
    const [r, w, x] = bits.slice(i, i + 3);
    out += String((r === 'r' ? 4 : 0) + (w === 'w' ? 2 : 0) + (x === 'x' || x === 's' || x === 't' ? 1 : 0));
  }
  return out;
}

/** Parses the probe's stdout (pure). Throws PARSE_ERROR naming the host and the line. */
export function parseBootProbe(label: string, stdout: string): BootProbe {
  const out: BootProbe = { uname: '', systemdBooted: false, dirs: [], tools: [], files: {}, links: {}, addrs: [] };
  const addrLines: string[] = [];
  const bad = (i: number, line: string, why = 'unexpected') =>
    new AppError('PARSE_ERROR', `${label}: boot probe: line ${i + 1}: ${why} "${line.slice(0, 100)}"`, { host: label, step: 'boot probe' });
  let file: { path: string; mode: string; size: number; lines: string[]; blank: boolean } | undefined;
  stdout.split('\n').forEach((line, i) => {
    if (file) {
      if (line === `endfile ${file.path}`) {
        out.files[file.path] = { mode: file.mode, size: file.size, content: file.lines.map((l) => `${l}\n`).join('') };
        file = undefined;
      } else if (line === '' && !file.blank) file.blank = true;
      else if (line.startsWith('| ') && !file.blank) file.lines.push(line.slice(2));
      else throw bad(i, line, `inside ${file.path}:`);
      return;
    }
    if (line === '') return;
    let m: RegExpExecArray | null;
    if ((m = /^uname (\S.*)$/.exec(line))) out.uname = m[1]!.trim();
    else if ((m = /^pid1 (.*)$/.exec(line))) out.pid1 = m[1]!; // comm may hold spaces ("lvslab-holder r")
    else if (line === 'systemd-booted') out.systemdBooted = true;
    else if ((m = /^dir (\/\S+)$/.exec(line))) out.dirs.push(m[1]!);
    else if ((m = /^tool (\/\S+)$/.exec(line))) out.tools.push(m[1]!);
    else if ((m = /^file (\/\S+) (\S{10}) (\d+)$/.exec(line))) {
      let mode: string;
      try {
        mode = modeFromLs(m[2]!);
      } catch (e) {
        throw bad(i, line, (e as Error).message + ' in');
      }
      file = { path: m[1]!, mode, size: Number(m[3]), lines: [], blank: false };
    } else if ((m = /^link (\/\S+) (\S+)$/.exec(line))) out.links[m[1]!] = m[2]!;
    else if ((m = /^enabled ?(\S*)$/.exec(line))) out.enabled = m[1]!;
    else if ((m = /^addr (.*)$/.exec(line))) addrLines.push(m[1]!);
    else throw bad(i, line);
  });
  if (file) throw new AppError('PARSE_ERROR', `${label}: boot probe: ${file.path} never ended: the output was cut`, { host: label, step: 'boot probe' });
  if (!out.uname) throw new AppError('PARSE_ERROR', `${label}: boot probe: no uname line (the probe did not run)`, { host: label, step: 'boot probe' });
  try {
    out.addrs = parseIfAddrs(out.uname === 'HP-UX' ? 'hpux' : 'linux', addrLines.join('\n'));
  } catch (e) {
    throw new AppError('PARSE_ERROR', `${label}: boot probe: ${(e as Error).message}`, { host: label, step: 'boot probe', cause: e });
  }
  return out;
}

/**
 * A "director" on this machine for unit tests of the director-side scripts: an Executor that runs argv locally (no
 * shell of its own: spawn(argv[0], rest), exactly the argv the SSH layer would quote) with a stand-in `ipvsadm` and `ip`
 * first on PATH. The stand-ins keep the table and the addresses in files, behave like the real tools where the scripts
 * depend on it (ipvsadm -R keeps going after a bad line and reports it on stderr only; -S prints the table), and can be
 * told to fail or be slow through marker files. The real ipvsadm/kernel are proven in test/lab.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterSchema } from '../../../../shared/model/cluster.ts';
import { AppError } from '../../../../shared/result.ts';
import type { ExecOptions, ExecResult, Executor } from '../../../../electron/ssh/types.ts';

// ipvsadm stand-in: -S -n | -C | -R (stdin) | -L -n [--stats|--rate] [--exact]. It keeps a real table in $LVSFAKE/table
// (as -S prints it, sorted like libipvs: protocol, address, port; destinations by address, port): -R applies -A/-E/-D and
// -a/-e/-d lines, refusing what the kernel refuses (adding what exists, editing or deleting what does not) with ipvsadm's
// message on stderr while it goes on with the next line, exit 0 (the real tool's way). Lines containing 10.66.6.6 fail like
// a kernel refusal ("Memory allocation problem"). -L -n lists the table with ActiveConn/InActConn from $LVSFAKE/conns
// ("PROTO VIP:PORT RIP:PORT ACTIVE INACTIVE" per line); --stats, --rate and --thresholds list headers only (no counters,
// no thresholds). IPv4 only.
const FAKE_IPVSADM = `#!/bin/sh
t="$LVSFAKE/table"; [ -f "$t" ] || : > "$t"
c="$LVSFAKE/conns"; [ -f "$c" ] || : > "$c"
case "$1" in
  -S) cat "$t" ;;
  -C) [ -f "$LVSFAKE/fail-clear" ] && { echo "fake: clear refused" >&2; exit 1; }; : > "$t" ;;
  -R)
    [ -f "$LVSFAKE/slow" ] && sleep "$(cat "$LVSFAKE/slow")"
    awk '
      function opt(f,   i) { for (i = 2; i < NF; i++) if ($i == f) return $(i + 1); return "" }
      function svc() { return opt("-t") != "" ? "-t " opt("-t") : "-u " opt("-u") }
      FILENAME != "-" { if ($1 == "-A") { s[svc()] = $0; ns++ } else d[svc() SUBSEP opt("-r")] = $0; next }
      NF == 0 { next }
      /10\\.66\\.6\\.6/ { print "Memory allocation problem" > "/dev/stderr"; next }
      {
        k = svc(); r = opt("-r")
        if ($1 == "-A") { if (k in s) print "Service already exists" > "/dev/stderr"; else s[k] = $0 }
        else if ($1 == "-E") { if (k in s) { sub(/^-E/, "-A"); s[k] = $0 } else print "No such service" > "/dev/stderr" }
        else if ($1 == "-D") { if (k in s) { delete s[k]; for (x in d) { split(x, p, SUBSEP); if (p[1] == k) delete d[x] } } else print "No such service" > "/dev/stderr" }
        else if ($1 == "-a") { if (!(k in s)) print "Service not defined" > "/dev/stderr"; else if ((k SUBSEP r) in d) print "Destination already exists" > "/dev/stderr"; else d[k SUBSEP r] = $0 }
        else if ($1 == "-e") { if (!((k SUBSEP r) in d)) print "No such destination" > "/dev/stderr"; else { sub(/^-e/, "-a"); d[k SUBSEP r] = $0 } }
        else if ($1 == "-d") { if (!((k SUBSEP r) in d)) print "No such destination" > "/dev/stderr"; else delete d[k SUBSEP r] }
        else print "fake ipvsadm -R: unsupported " $0 > "/dev/stderr"
      }
      function key(ap,   q, o) { split(ap, q, ":"); split(q[1], o, "."); return sprintf("%03d.%03d.%03d.%03d %05d", o[1], o[2], o[3], o[4], q[2]) }
      function skey(k,   w) { split(k, w, " "); return (w[1] == "-t" ? "06 " : "17 ") key(w[2]) }
      END {
        for (k in s) print skey(k) " 0", s[k]
        for (x in d) { split(x, p, SUBSEP); if (p[1] in s) print skey(p[1]) " 1 " key(p[2]), d[x] }
      }
    ' OFS='\\t' "$t" - | sort | cut -f2- > "$t.new"
    mv "$t.new" "$t"
    [ -f "$LVSFAKE/garble-restore" ] && { echo "-A -t 10.9.9.9:1 -s rr" >> "$t"; rm -f "$LVSFAKE/garble-restore"; }
    exit 0 ;;
  -L) echo "IP Virtual Server version 1.2.1 (size=4096)"
      case "$3" in
        --stats) echo "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes"; echo "  -> RemoteAddress:Port" ;;
        --rate) echo "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS"; echo "  -> RemoteAddress:Port" ;;
        --thresholds) echo "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn"; echo "  -> RemoteAddress:Port" ;;
        *) echo "Prot LocalAddress:Port Scheduler Flags"; echo "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"
           awk '
             function opt(f,   i) { for (i = 2; i < NF; i++) if ($i == f) return $(i + 1); return "" }
             FILENAME == ARGV[1] { a[$1 " " $2 " " $3] = $4; i[$1 " " $2 " " $3] = $5; next }
             $1 == "-A" { proto = opt("-t") != "" ? "TCP" : "UDP"; vip = opt("-t") != "" ? opt("-t") : opt("-u")
                          printf "%s  %s %s%s\\n", proto, vip, opt("-s"), opt("-p") != "" ? " persistent " opt("-p") : "" }
             $1 == "-a" { r = opt("-r"); f = $0 ~ / -m / ? "Masq" : $0 ~ / -g / ? "Route" : "Tunnel"; k = proto " " vip " " r
                          printf "  -> %-26s %-7s %-6s %-10s %-10s\\n", r, f, opt("-w"), (k in a) ? a[k] : 0, (k in i) ? i[k] : 0 }
           ' "$c" "$t" ;;
      esac ;;
  *) echo "fake ipvsadm: unsupported $*" >&2; exit 2 ;;
esac
`;

// ip stand-in: -o addr show [dev D] | addr add A dev D [label L] | addr del A dev D, in iproute2's one-line format.
const FAKE_IP = `#!/bin/sh
a="$LVSFAKE/addrs"; [ -f "$a" ] || : > "$a"
if [ "$1" = -o ] && [ "$2" = addr ] && [ "$3" = show ]; then
  if [ "$4" = dev ]; then grep "^[0-9]*: $5 " "$a"; true; else cat "$a"; fi; exit 0
fi
if [ "$1" = addr ] && [ "$2" = add ]; then
  [ -f "$LVSFAKE/fail-ip" ] && { echo "RTNETLINK answers: Operation not permitted" >&2; exit 2; }
  grep -q " inet $3 " "$a" && { echo "RTNETLINK answers: File exists" >&2; exit 2; }
  printf '2: %s    inet %s scope global secondary %s\\\\       valid_lft forever preferred_lft forever\\n' "$5" "$3" "\${7:-$5}" >> "$a"; exit 0
fi
if [ "$1" = addr ] && [ "$2" = del ]; then
  grep -q " inet $3 " "$a" || { echo "RTNETLINK answers: Cannot assign requested address" >&2; exit 2; }
  grep -v " inet $3 " "$a" > "$a.new"; mv "$a.new" "$a"; exit 0
fi
echo "fake ip: unsupported $*" >&2; exit 2
`;

/**
 * A base for directories the transaction accepts as private (electron/shell/private-dir.ts: every component owned by
 * root or this user, none writable by others): ~/.cache/lvs-console-test, 0700. Not under /tmp, which anyone may write.
 */
export function privateTestBase(): string {
  const d = join(homedir(), '.cache', 'lvs-console-test');
  mkdirSync(d, { recursive: true, mode: 0o700 });
  return d;
}

/** A profile for the stand-in director (10.0.0.1): telnet and xdmcp on the VIP 10.0.0.100 over 10.0.0.11 and .12. */
export const standInCluster = clusterSchema.parse({
  id: 't',
  name: 't',
  director: { host: '10.0.0.1', user: 'root' },
  vip: '10.0.0.100',
  tcp: [{ port: 23 }],
  udp: [{ port: 177 }],
  realservers: [{ host: '10.0.0.11' }, { host: '10.0.0.12' }],
});

/** A profile naming the realservers of the captured nat-rr fixtures (192.168.188.82 as rs-a, and .83). */
export const natRrCluster = clusterSchema.parse({
  id: 't',
  name: 't',
  director: { host: '10.0.0.1', user: 'root' },
  vip: '10.0.0.100',
  tcp: [{ port: 23 }],
  realservers: [{ host: '192.168.188.82', name: 'rs-a' }, { host: '192.168.188.83' }],
});

/** The base address the stand-in director has on eth0. */
export const BASE_ADDR_LINE = '2: eth0    inet 10.0.0.1/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever\n';

/** A local director: its state directory, an Executor, and helpers to read and arrange its state. */
export interface LocalDirector {
  dir: string;
  /** The private directory its transactions use (pass it as buildTransaction's dir / applyPlan's txDir). */
  txDir: string;
  exec: Executor;
  table(): string;
  setTable(text: string): void;
  addrs(): string;
  /** Sets the connection counts -L -n shows: "PROTO VIP:PORT RIP:PORT ACTIVE INACTIVE" lines ('' = none). */
  setConns(lines: string): void;
  /** Creates a marker file (fail-clear, fail-ip, garble-restore) or, for slow, the seconds -R sleeps. */
  mark(name: 'fail-clear' | 'fail-ip' | 'garble-restore' | 'slow', content?: string): void;
  /** Where the director's /etc is on this machine (see underRoot), and one of its files (undefined when missing). */
  root: string;
  file(path: string): string | undefined;
  cleanup(): void;
}

/**
 * The director's runtime files (/etc/…, /var/spool/cron/…) live under `root` on this machine: every path argument
 * (never a script's text) is moved there, so a change that writes /etc/lvs.conf writes ROOT/etc/lvs.conf, and this
 * machine's own /etc is never touched.
 */
export function underRoot(root: string, argv: string[]): string[] {
  const move = (a: string) =>
    a
      .split(':')
      .map((p) => (/^\/(etc|var\/spool\/cron)\//.test(p) ? `${root}${p}` : p))
      .join(':');
  const fixed = argv[0] === 'sh' && argv[1] === '-c' ? 4 : 1;
  return [...argv.slice(0, fixed), ...argv.slice(fixed).map(move)];
}

/** Runs argv locally like the SSH layer would (never rejects on an exit code); `root`: see underRoot. */
export function localExec(label: string, env: NodeJS.ProcessEnv, root?: string): Executor {
  return {
    label,
    exec: (given: string[], opts: ExecOptions = {}) =>
      new Promise<ExecResult>((resolve, reject) => {
        const argv = root ? underRoot(root, given) : given;
        const started = performance.now();
        const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        child.on('error', (e) => reject(new AppError('INTERNAL', `${label}: ${e.message}`, { host: label })));
        child.on('close', (code, signal) => resolve({ code, signal: signal ? signal.replace(/^SIG/, '') : null, stdout, stderr, durationMs: performance.now() - started }));
        child.stdin.on('error', () => undefined);
        child.stdin.end(opts.stdin ?? '');
      }),
  };
}

/** Makes a fresh local director with an empty table and only its base address. */
export function localDirector(label = 'director 10.0.0.1'): LocalDirector {
  const dir = mkdtempSync(join(tmpdir(), 'lvsfake-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'ipvsadm'), FAKE_IPVSADM);
  writeFileSync(join(bin, 'ip'), FAKE_IP);
  chmodSync(join(bin, 'ipvsadm'), 0o755);
  chmodSync(join(bin, 'ip'), 0o755);
  writeFileSync(join(dir, 'table'), '');
  writeFileSync(join(dir, 'addrs'), BASE_ADDR_LINE);
  const txDir = mkdtempSync(join(privateTestBase(), 'tx-'));
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, LVSFAKE: dir };
  const root = join(dir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  const exec = localExec(label, env, root);
  return {
    dir,
    txDir,
    exec,
    root,
    file: (path) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined),
    table: () => readFileSync(join(dir, 'table'), 'utf8'),
    setTable: (t) => writeFileSync(join(dir, 'table'), t),
    addrs: () => readFileSync(join(dir, 'addrs'), 'utf8'),
    setConns: (lines) => writeFileSync(join(dir, 'conns'), lines),
    mark: (name, content = '') => writeFileSync(join(dir, name), content),
    cleanup: () => {
      for (const d of [dir, txDir]) if (existsSync(d)) rmSync(d, { recursive: true, force: true });
    },
  };
}

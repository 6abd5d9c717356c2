/**
 * Looks at the lab director over the lab's own ssh (`lab.sh exec`), independently of the product: the table as
 * `ipvsadm -S -n` prints it, where the VIP is, the sysctls start sets; whether a transaction is still running; and
 * whether the director's runtime configuration (/etc/lvs.conf, read by the seed runtime's lvs-director script) would load
 * the table the director holds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LVS_DIRECTOR_SCRIPT } from '../../../../electron/lvs/conf/director-init-script.ts';
import { TX_DIR } from '../../../../electron/lvs/plan/transaction.ts';
import { labExec, labSh } from '../../../lab/support/remote-lab.ts';

/** What the director holds. */
export interface DirectorLook {
  /** `ipvsadm -S -n`, exactly. */
  table: string;
  /** The VIP is on the LVS interface. */
  vipUp: boolean;
  /** The values of SYSCTL_KEYS, in that order ('-' for a key the kernel does not have). */
  sysctls: string[];
}

/** The sysctls a verb may set (start: forwarding on, redirects off, and the IPVS template expiry where the plan sets it). */
export const SYSCTL_KEYS = ['net.ipv4.ip_forward', 'net.ipv4.conf.all.send_redirects', 'net.ipv4.conf.eth0.send_redirects', 'net.ipv4.vs.expire_quiescent_template'];

/** Reads the table, the VIP and the sysctls in one lab exec. */
export function lookAtDirector(vip: string): DirectorLook {
  const cat = SYSCTL_KEYS.map((k) => `{ cat /proc/sys/${k.replace(/\./g, '/')} 2>/dev/null || echo -; }`).join('; ');
  const out = labSh('director', `ipvsadm -S -n; echo @@vip; ip -o -4 addr show dev eth0; echo @@sysctl; ${cat}`);
  const [table = '', rest = ''] = out.split('@@vip\n');
  const [addrs = '', sysctls = ''] = rest.split('@@sysctl\n');
  return { table, vipUp: addrs.split('\n').some((l) => l.includes(` ${vip}/`)), sysctls: sysctls.trim().split(/\s+/) };
}

/**
 * Waits (at most `maxS`) until no transaction runs on the director (no PREFIX.started left: the transaction removes it
 * with its verdict), then removes the transaction files, so the next cut can tell its own transaction's stage. Returns
 * how long it waited, or throws when one still runs.
 */
export function settleTransactions(maxS = 150): number {
  const r = labExec(
    'director',
    `i=0; while ls ${TX_DIR}/lvs-console.*.started >/dev/null 2>&1; do [ $i -ge ${maxS} ] && { echo "still running after ${maxS} s"; exit 1; }; sleep 1; i=$((i+1)); done; rm -f ${TX_DIR}/lvs-console.*; echo $i`,
  );
  if (r.code !== 0) throw new Error(`director: a transaction is still running: ${r.stdout}${r.stderr}`);
  return Number(r.stdout.trim());
}

/** What the director's runtime configuration says about the table. */
export type ConfigCheck =
  | { kind: 'absent' }
  | { kind: 'consistent'; by: string }
  | { kind: 'stopped'; by: string }
  | { kind: 'inconsistent'; by: string; missing: string[]; extra: string[] };

/**
 * Whether /etc/lvs.conf on the director would load the table the director holds (this VIP's services): the rules the
 * seed runtime's script makes of it (the installed /etc/init.d/lvs-director, or this checkout's script run here against
 * a copy of the file when none is installed) against `ipvsadm -S -n`, as sets of lines. A destination at weight 0 that
 * the configuration leaves out is a drain in progress (the drain follow-up deletes it), not a difference. When the table
 * holds none of this VIP's services the cluster is stopped: the configuration is what the next start loads, not
 * compared. 'absent' when the director has no /etc/lvs.conf.
 */
export function checkRuntimeConfig(vip: string, table: string): ConfigCheck {
  const got = labExec('director', '[ -f /etc/lvs.conf ] || { echo @@absent; exit 0; }; if [ -x /etc/init.d/lvs-director ]; then echo @@installed; /etc/init.d/lvs-director rules; else echo @@conf; cat /etc/lvs.conf; fi');
  if (got.code !== 0) throw new Error(`director: reading /etc/lvs.conf failed: ${got.stderr}`);
  const [head, ...restLines] = got.stdout.split('\n');
  if (head === '@@absent') return { kind: 'absent' };
  let rules: string;
  let by: string;
  if (head === '@@installed') {
    rules = restLines.join('\n');
    by = 'the installed /etc/init.d/lvs-director rules';
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'lvs-conf-'));
    try {
      const file = join(dir, 'lvs.conf');
      writeFileSync(file, restLines.join('\n'));
      const r = spawnSync('sh', ['-c', LVS_DIRECTOR_SCRIPT, 'lvs-director', 'rules'], { env: { ...process.env, LVS_CONF: file }, encoding: 'utf8' });
      if (r.status !== 0) return { kind: 'inconsistent', by: 'lvs-director rules', missing: [], extra: [`the script refused /etc/lvs.conf: ${r.stderr.trim()}`] };
      rules = r.stdout;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    by = "this checkout's lvs-director rules on the director's /etc/lvs.conf";
  }
  const mine = (l: string) => new RegExp(`^-[Aa] -[tu] ${vip.replace(/\./g, '\\.')}:`).test(l);
  const want = new Set(rules.split('\n').map((l) => l.trim()).filter(mine));
  const have = new Set(table.split('\n').map((l) => l.trim()).filter(mine));
  if (have.size === 0) return { kind: 'stopped', by };
  const missing = [...want].filter((l) => !have.has(l));
  const extra = [...have].filter((l) => !want.has(l) && !/ -w 0$/.test(l));
  return missing.length || extra.length ? { kind: 'inconsistent', by, missing, extra } : { kind: 'consistent', by };
}

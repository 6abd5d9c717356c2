/**
 * The cluster form's names for profile paths, so every message speaks the form's language ("Realserver 2: host", "TCP
 * service 1: port") instead of code paths (`realservers.1.host`). Handed to THE zod-issue formatter (describeIssues /
 * issueMessage in shared/result.ts) as its PathLabel; used for the machine checks' problems too.
 */
import type { PathLabel } from '../../../shared/result.ts';

const TOP: Record<string, string> = {
  id: 'Id',
  name: 'Name',
  vip: 'Virtual IP (VIP)',
  vipPrefix: 'VIP prefix length',
  vipIf: 'VIP alias interface',
  lvsIf: 'LVS interface',
  scheduler: 'Scheduler',
  forwarding: 'Forwarding',
  director: 'Director',
  pair: 'Second director',
  health: 'Health checks',
  runtime: 'Runtime',
  knownHosts: 'Known host keys',
};

const FIELD: Record<string, string> = {
  host: 'host',
  port: 'port',
  user: 'user',
  name: 'name',
  weight: 'weight',
  netIf: 'interface',
  os: 'OS',
  enabled: 'enabled',
  keyPath: 'private key file',
  passphraseRef: 'key passphrase',
  secretRef: 'password',
  method: 'authentication',
  auth: 'authentication',
  sudo: 'sudo',
  ssh: 'SSH',
  persistence: 'persistence',
  timeout: 'persistence',
  netmask: 'persistence netmask',
  scheduler: 'scheduler',
  check: 'health check',
  kind: 'health check',
  exclude: 'excluded services',
  gateway: 'gateway',
  vrid: 'VRRP id',
  advertMs: 'advert interval',
  legacyAlgorithms: 'old SSH algorithms',
  viaDirector: 'reached through the director',
  intervalSec: 'interval',
  timeoutSec: 'timeout',
  fall: 'fall',
  rise: 'rise',
};

/** "Realserver 2: host", "TCP service 1: port", "Director: private key file", "Virtual IP (VIP)". */
export const fieldLabel: PathLabel = (path) => {
  const [head, ...rest] = path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  let subject: string;
  let tail = rest;
  if ((head === 'realservers' || head === 'tcp' || head === 'udp') && typeof rest[0] === 'number') {
    subject = `${head === 'realservers' ? 'Realserver' : `${String(head).toUpperCase()} service`} ${rest[0] + 1}`;
    tail = rest.slice(1);
  } else subject = TOP[String(head)] ?? String(head);
  // "auth" only matters when it is the last word ("Director: authentication"); "ssh" reads as a prefix.
  const words = tail
    .filter((w, i) => !(w === 'auth' && i < tail.length - 1) && !(w === 'persistence' && i < tail.length - 1) && !(w === 'check' && i < tail.length - 1))
    .map((w) => (typeof w === 'number' ? `${w + 1}` : (FIELD[String(w)] ?? String(w))));
  return words.length ? `${subject}: ${words.join(' ')}` : subject;
};

/**
 * The common /etc/services names an admin writes in TPORTS/UPORTS, so a profile can say `telnet` or `xdmcp`
 * without reading the director's /etc/services. Values are from the IANA registry as Debian's netbase ships it.
 */
export const WELL_KNOWN_PORTS: Readonly<Record<string, { port: number; tcp: boolean; udp: boolean }>> = {
  ftp: { port: 21, tcp: true, udp: false },
  'ftp-data': { port: 20, tcp: true, udp: false },
  ssh: { port: 22, tcp: true, udp: false },
  telnet: { port: 23, tcp: true, udp: false },
  smtp: { port: 25, tcp: true, udp: false },
  domain: { port: 53, tcp: true, udp: true },
  http: { port: 80, tcp: true, udp: true },
  www: { port: 80, tcp: true, udp: true },
  pop3: { port: 110, tcp: true, udp: false },
  sunrpc: { port: 111, tcp: true, udp: true },
  ntp: { port: 123, tcp: false, udp: true },
  imap2: { port: 143, tcp: true, udp: false },
  imap: { port: 143, tcp: true, udp: false },
  snmp: { port: 161, tcp: true, udp: true },
  xdmcp: { port: 177, tcp: true, udp: true },
  ldap: { port: 389, tcp: true, udp: true },
  https: { port: 443, tcp: true, udp: true },
  login: { port: 513, tcp: true, udp: false },
  shell: { port: 514, tcp: true, udp: false },
  printer: { port: 515, tcp: true, udp: false },
  ldaps: { port: 636, tcp: true, udp: true },
  imaps: { port: 993, tcp: true, udp: false },
  pop3s: { port: 995, tcp: true, udp: false },
  nfs: { port: 2049, tcp: true, udp: true },
  mysql: { port: 3306, tcp: true, udp: false },
  'ms-wbt-server': { port: 3389, tcp: true, udp: false },
  postgresql: { port: 5432, tcp: true, udp: false },
  x11: { port: 6000, tcp: true, udp: false },
  'x11-1': { port: 6001, tcp: true, udp: false },
  'x11-2': { port: 6002, tcp: true, udp: false },
  'http-alt': { port: 8080, tcp: true, udp: false },
};

/** Port number for a service name or numeric string, or undefined if unknown. */
export function portNumber(ref: string | number, protocol: 'tcp' | 'udp' = 'tcp'): number | undefined {
  if (typeof ref === 'number') return Number.isInteger(ref) && ref >= 1 && ref <= 65535 ? ref : undefined;
  if (/^[0-9]+$/.test(ref)) {
    const n = Number(ref);
    return n >= 1 && n <= 65535 ? n : undefined;
  }
  const e = WELL_KNOWN_PORTS[ref.toLowerCase()];
  if (!e) return undefined;
  return e[protocol] ? e.port : undefined;
}

/** The conventional name for a port (for display), e.g. 23 → telnet, or the number as text. */
export function portName(port: number, protocol: 'tcp' | 'udp' = 'tcp'): string {
  for (const [name, e] of Object.entries(WELL_KNOWN_PORTS)) if (e.port === port && e[protocol]) return name;
  return String(port);
}

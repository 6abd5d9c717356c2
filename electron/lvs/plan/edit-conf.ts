/**
 * What an edit (weight, drain, disable, enable of one realserver) writes into the director's /etc/lvs.conf: the file as
 * the director has it, with only what the edit names changed. The table an edit changes is the director's table plus
 * that edit (realserver-edit.ts), so its configuration must be the director's configuration plus that edit, never "the
 * profile as it is now": a profile change the admin has not applied yet (a weight edited before a reload that never
 * ran) stays out of both. Pure; tested against the director script's own `rules` (the program that reads the file).
 */
import type { Cluster, Realserver } from '../../../shared/model/cluster.ts';
import { portNumber } from '../../../shared/model/well-known-ports.ts';
import { confVariables, type LvsConfDoc } from '../conf/conf-parse.ts';
import { setConfVariable } from '../conf/conf-write.ts';
import type { Resolve } from './desired-table.ts';
import { findRealserver, type RealserverEdit } from './realserver-edit.ts';

/** The edit as the file needs it: the profile after editProfile, the realserver named, the services it is about. */
export interface ConfEdit {
  edited: Cluster;
  realserver: string;
  services: readonly string[];
  kind: RealserverEdit['kind'];
}

/** Is the realserver a member of service `ref` ("tcp/23") by its profile entry? */
function memberOf(rs: Realserver, ref: string): boolean {
  return rs.enabled && !(rs.exclude ?? []).includes(ref);
}

/**
 * `doc` (the director's lvs.conf, this cluster's VIP) with the edit applied: for each service the edit names that the
 * file has, the realserver is in it or out of it as the table will be (planEdit: in when the edited profile wants it,
 * out after a drain or disable, else as it was; RIPS_DISABLED / EXCLUDE rewritten for that host only, its other
 * services keep what the file says); its WEIGHTS entry becomes the profile's weight when the edit puts or keeps it in
 * a named service the profile wants it in (the table gets that weight there), else it stays the director's. A realserver the file does not list is added to RIPS only when the edit puts it in
 * a service. Hosts are matched by name or address and written the way the file spells them (the director script
 * compares strings). Returns the new document and notes for the preview.
 */
export function applyEditToConf(doc: LvsConfDoc, edit: ConfEdit, resolve: Resolve): { doc: LvsConfDoc; notes: string[] } {
  const notes: string[] = [];
  const vars = confVariables(doc);
  const items = (name: string) => (vars.get(name)?.items ?? []).map((i) => i.text);
  const { rs } = findRealserver(edit.edited, edit.realserver);
  const addr = (h: string): string | undefined => {
    try {
      return resolve(h).toLowerCase();
    } catch {
      return undefined;
    }
  };
  const want = addr(rs.host);
  const same = (h: string) => h.toLowerCase() === rs.host.toLowerCase() || (want !== undefined && addr(h) === want);

  // The services the file has, as refs; the ones the edit names among them.
  const fileRefs: string[] = [];
  for (const [name, proto] of [['TPORTS', 'tcp'], ['UPORTS', 'udp']] as const) {
    for (const p of items(name)) {
      const n = portNumber(/^[0-9]+$/.test(p) ? Number(p) : p, proto);
      if (n !== undefined) fileRefs.push(`${proto}/${n}`);
    }
  }
  const named = edit.services.filter((r) => fileRefs.includes(r));
  const missing = edit.services.filter((r) => !fileRefs.includes(r));
  if (missing.length) notes.push(`/etc/lvs.conf on the director has no ${missing.join(', ')}: only the profile changes for ${missing.length > 1 ? 'them' : 'it'}`);

  const rips = items('RIPS');
  let host = rips.find(same);
  const disabled = items('RIPS_DISABLED');
  const excluded = items('EXCLUDE');
  const excludedHere = (h: string, ref: string) => excluded.includes(`${h}=${ref}`);
  // Membership per file service: the file's, then the edit's for the services it names.
  const member = new Map<string, boolean>();
  for (const ref of fileRefs) member.set(ref, host !== undefined && !disabled.includes(host) && !excludedHere(host, ref));
  // As planEdit changes the table: in when the edited profile wants it there (added or kept); out when a drain or a
  // disable takes it out; otherwise as it was (a weight edit leaves a destination the profile no longer wants alone).
  const takesOut = edit.kind === 'drain' || edit.kind === 'disable';
  for (const ref of named) member.set(ref, memberOf(rs, ref) || (member.get(ref)! && !takesOut));
  const inAny = [...member.values()].some(Boolean);

  let out = doc;
  if (host === undefined) {
    if (!inAny) return { doc, notes: [...notes, `${rs.name ?? rs.host} is not in the director's /etc/lvs.conf and this edit does not put it in a service: the file is left as it is`] };
    host = rs.host;
    out = setConfVariable(out, 'RIPS', [...rips, host]);
    notes.push(`${host} is added to RIPS in /etc/lvs.conf (the edit puts it in the table)`);
  }
  const h = host;
  // Entries in RIPS order, a host's EXCLUDE entries in the profile's order (as directorConf writes them), so a file the
  // edits wrote reads, to the letter, as the file the profile writes when the two agree (reconcile then has nothing to do).
  const ripsOrder = new Map((rips.includes(h) ? rips : [...rips, h]).map((x, i) => [x, i] as const));
  const hostOf = (entry: string) => ripsOrder.get(entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry) ?? ripsOrder.size;
  const inRipsOrder = (xs: string[]) => xs.map((x, i) => ({ x, i })).sort((a, b) => hostOf(a.x) - hostOf(b.x) || a.i - b.i).map((e) => e.x);
  const profileOrder = (refs: string[]) => {
    const at = (r: string) => {
      const i = (rs.exclude ?? []).indexOf(r);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    return refs.map((r, i) => ({ r, i })).sort((a, b) => at(a.r) - at(b.r) || a.i - b.i).map((e) => e.r);
  };
  const setList = (name: string, next: string[], now: string[]) => {
    if (next.join(' ') === now.join(' ')) return;
    out = setConfVariable(out, name, next.join(' '));
  };
  const nextDisabled = disabled.filter((d) => d !== h);
  const nextExcluded = excluded.filter((e) => !e.startsWith(`${h}=`));
  // Out of every service: RIPS_DISABLED when the profile has it disabled (its EXCLUDE entries then as the profile keeps
  // them: they change nothing), else one EXCLUDE per service it is out of.
  if (!inAny && !rs.enabled) {
    nextDisabled.push(h);
    for (const ref of (rs.exclude ?? []).filter((r) => fileRefs.includes(r))) nextExcluded.push(`${h}=${ref}`);
  } else for (const ref of profileOrder(fileRefs.filter((r) => !member.get(r)))) nextExcluded.push(`${h}=${ref}`);
  setList('RIPS_DISABLED', inRipsOrder(nextDisabled), disabled);
  setList('EXCLUDE', inRipsOrder(nextExcluded), excluded);

  // The table gets the profile's weight in the named services the profile wants it in (planEdit adds or edits those);
  // elsewhere it keeps the director's. One WEIGHTS entry per host: when both happen with different weights, say so.
  const weighted = named.filter((r) => memberOf(rs, r));
  // (a realserver in no service at all: its weight changes nothing in the table, so the profile's is written)
  if (weighted.length || !inAny) {
    const weights = items('WEIGHTS');
    const i = weights.findIndex((w) => w.startsWith(`${h}=`));
    const fileWeight = i >= 0 ? Number(weights[i]!.slice(h.length + 1)) : 1;
    const next = weights.filter((w) => !w.startsWith(`${h}=`));
    if (rs.weight !== 1) next.splice(i >= 0 ? i : next.length, 0, `${h}=${rs.weight}`);
    setList('WEIGHTS', inRipsOrder(next), weights);
    const kept = fileRefs.filter((r) => !weighted.includes(r) && member.get(r));
    if (rs.weight !== fileWeight && kept.length) {
      notes.push(`${rs.name ?? rs.host}'s weight in the profile (${rs.weight}) is not the director's (${fileWeight}): ${kept.join(', ')} keep${kept.length > 1 ? '' : 's'} ${fileWeight} in the table until a reload`);
    }
  }
  return { doc: out, notes };
}

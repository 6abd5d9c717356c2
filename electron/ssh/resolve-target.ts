/**
 * Where and how to reach each host of a cluster: the director's SshTarget as is, and each realserver's partial ssh
 * settings merged over the director's (a missing field inherits the director's; viaDirector is the realserver's own).
 * Pure: no ssh2, no I/O.
 */
import type { Realserver, SshTarget } from '../../shared/model/cluster.ts';

/** A target plus the label errors use, and the jump host when it is reached through the director. */
export interface ResolvedTarget {
  target: SshTarget;
  /** "director 10.0.0.1", or the realserver's name (default its host). */
  label: string;
  via?: ResolvedTarget;
}

/** The director's target, labelled "director HOST". */
export function resolveDirectorTarget(director: SshTarget): ResolvedTarget {
  return { target: director, label: `director ${director.host}` };
}

/** A realserver's target: its ssh overrides over the director's settings; via the director when viaDirector is set. */
export function resolveRealserverTarget(director: SshTarget, rs: Realserver): ResolvedTarget {
  const o = rs.ssh ?? {};
  const target: SshTarget = {
    host: o.host ?? rs.host,
    port: o.port ?? director.port,
    user: o.user ?? director.user,
    auth: o.auth ?? director.auth,
    ...('sudo' in o && o.sudo !== undefined ? { sudo: o.sudo } : director.sudo !== undefined ? { sudo: director.sudo } : {}),
    legacyAlgorithms: o.legacyAlgorithms ?? director.legacyAlgorithms,
    viaDirector: o.viaDirector ?? false,
  };
  return { target, label: rs.name ?? rs.host, ...(target.viaDirector ? { via: resolveDirectorTarget(director) } : {}) };
}

/**
 * What a planner returns: the exact commands a verb would run, as data. A dry run shows them; apply runs them in order.
 */
import type { IpvsTable } from './ipvs.ts';

/**
 * The verbs a plan can be for: the seed's lvs-director verbs, a minimal diff (reconcile), a per-realserver edit (set
 * weight, drain, disable, enable: it touches only what it names), a graceful drain follow-up, and install-director (the
 * runtime the profile names, put on the director; moving a running cluster from one runtime to the other).
 */
export type PlanVerb = 'start' | 'stop' | 'reload' | 'status' | 'update' | 'diff' | 'edit' | 'drain' | 'install';

/** One command of a plan. */
export interface PlanStep {
  /** Where it runs: 'director' or a realserver name. */
  host: string;
  /** The command as argv; only shellQuote() turns it into a string. */
  argv: string[];
  /** Text fed on standard input (e.g. the rules for `ipvsadm -R`). */
  stdin?: string;
  /** Why this step is in the plan, for the user and the audit log. */
  why: string;
  /**
   * Exit codes that count as success (default [0]). Like GitHub Desktop's successExitCodes: every entry says why in a
   * comment where the step is built.
   */
  okCodes?: number[];
  /**
   * Marks a step whose effect is not final: e.g. a graceful drain's `-e … -w 0`, to be followed by a `-d` once the
   * destination's connections are gone (see graceful-drain.ts).
   */
  followUp?: 'delete-when-drained';
  /** A file install (`install -m MODE /dev/stdin PATH`): check the new file with `sh -n` before it replaces the old one. */
  check?: 'sh';
}

/** A plan: the verb, its steps in order, and the table it should leave behind (when it changes the table). */
export interface Plan {
  verb: PlanVerb;
  steps: PlanStep[];
  /** The IPVS table the steps should produce; apply re-observes and compares against it. */
  desired?: IpvsTable;
  /** Human-readable lines summarising what changes (update/diff), e.g. "add 10.0.0.3 to tcp 10.0.0.1:23". */
  summary?: string[];
  /**
   * How the table read back is compared with `desired`: exactly (ipvsadm writes it; the default), or `inhibit`:
   * keepalived writes it, and a destination whose check fails has weight 0 there (inhibit_on_failure).
   */
  tableCheck?: 'exact' | 'inhibit';
  /** The VIP as the plan leaves it when a daemon (keepalived) brings it up or down, not a step of the plan. */
  vip?: { address: string; prefix: number; dev: string; up: boolean };
}

/** The host name steps on the director use. */
export const DIRECTOR = 'director';

/**
 * What a planner returns: the exact commands a verb would run, as data. A dry run shows them; apply runs them in order.
 */
import type { IpvsTable } from './ipvs.ts';

/**
 * The verbs a plan can be for: the seed's lvs-director verbs, a minimal diff (reconcile), a per-realserver edit (set
 * weight, drain, disable, enable: it touches only what it names) and a graceful drain follow-up.
 */
export type PlanVerb = 'start' | 'stop' | 'reload' | 'status' | 'update' | 'diff' | 'edit' | 'drain';

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
}

/** A plan: the verb, its steps in order, and the table it should leave behind (when it changes the table). */
export interface Plan {
  verb: PlanVerb;
  steps: PlanStep[];
  /** The IPVS table the steps should produce; apply re-observes and compares against it. */
  desired?: IpvsTable;
  /** Human-readable lines summarising what changes (update/diff), e.g. "add 10.0.0.3 to tcp 10.0.0.1:23". */
  summary?: string[];
}

/** The host name steps on the director use. */
export const DIRECTOR = 'director';

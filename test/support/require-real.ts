/**
 * Real proofs (a real sshd, the lab's real kernel, Chromium, runuser…) skip with a reason where they cannot run (not root,
 * not Linux, a tool missing). In CI (`.ci/run` exports LVS_REQUIRE_REAL=1) a skip would make a run green without the
 * proof it claims, so there every such reason is a failure instead: the test file fails to load, naming what is missing.
 */

/** True when real proofs must run (LVS_REQUIRE_REAL=1, set by .ci/run). */
export function realRequired(): boolean {
  return process.env.LVS_REQUIRE_REAL === '1';
}

/**
 * `reason` (why `what` cannot run here, or undefined when it can) for describe.skipIf; throws instead of skipping when
 * LVS_REQUIRE_REAL=1.
 */
export function realProofSkip(reason: string | undefined, what: string): string | undefined {
  if (reason !== undefined && realRequired()) {
    throw new Error(`LVS_REQUIRE_REAL=1: ${what} cannot run here (${reason}); a skipped real proof is a failure in CI`);
  }
  return reason;
}

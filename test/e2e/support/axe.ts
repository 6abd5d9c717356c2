/**
 * Accessibility checks in the e2e with the page's CSP intact: axe-core's source is evaluated through the DevTools
 * protocol (CDP Runtime.evaluate, which the CSP does not govern), never injected as a <script> the CSP would refuse
 * or that would need the CSP loosened. Returns axe's violations, impact and the nodes each one hit.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One axe violation, shortened for messages. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe (WCAG 2.x A/AA rules and best practices) on the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const loaded = await cdp.send('Runtime.evaluate', { expression: `${AXE_SOURCE}\n;typeof axe`, returnByValue: true });
    if (loaded.exceptionDetails || loaded.result.value !== 'object') throw new Error(`axe-core did not load: ${JSON.stringify(loaded.exceptionDetails ?? loaded.result)}`);
    const run = await cdp.send('Runtime.evaluate', {
      expression: `axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
        .then((r) => JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(0, 3).join(' ')) }))))`,
      awaitPromise: true,
      returnByValue: true,
    });
    if (run.exceptionDetails) throw new Error(`axe.run failed: ${JSON.stringify(run.exceptionDetails)}`);
    return JSON.parse(run.result.value as string) as AxeViolation[];
  } finally {
    await cdp.detach();
  }
}

/** The serious and critical violations (what the e2e asserts there are none of). */
export function seriousOnly(v: readonly AxeViolation[]): AxeViolation[] {
  return v.filter((x) => x.impact === 'serious' || x.impact === 'critical');
}

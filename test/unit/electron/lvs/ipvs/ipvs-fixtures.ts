/**
 * Fixture access for the IPVS parser tests: reads test/fixtures/ipvsadm/**, and a helper asserting that a parse threw
 * the parsers' typed error naming a line.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { AppError } from '../../../../../shared/result.ts';

/** test/fixtures/ipvsadm */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/ipvsadm');

/** The text of one fixture, by its path under test/fixtures/ipvsadm. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURE_DIR, name), 'utf8');
}

/** Every .txt fixture (captured, constructed and lab), as paths under test/fixtures/ipvsadm. */
export function allFixtures(): string[] {
  const out: string[] = [];
  for (const sub of ['', 'constructed', 'lab']) {
    let names: string[] = [];
    try {
      names = readdirSync(join(FIXTURE_DIR, sub));
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith('.txt')) out.push(sub ? `${sub}/${n}` : n);
  }
  return out.sort();
}

/** Runs fn, expects an AppError with `code` whose message starts with "line N: " and matches `re`; returns it. */
export function expectLineError(fn: () => unknown, line: number, re: RegExp, code = 'PARSE_ERROR'): AppError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AppError);
  const e = err as AppError;
  expect(e.code).toBe(code);
  expect(e.message.startsWith(`line ${line}: `)).toBe(true);
  expect(e.message).toMatch(re);
  return e;
}

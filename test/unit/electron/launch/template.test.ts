import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LAUNCHERS } from '../../../../electron/launch/catalog.ts';
import { renderTemplate, templateProblems } from '../../../../electron/launch/template.ts';

describe('renderTemplate', () => {
  it('fills {vip}, {display} and {port}', () => {
    expect(renderTemplate([':{display}', '-query', '{vip}', '-once'], { vip: '10.77.0.100', display: 3 })).toEqual([':3', '-query', '10.77.0.100', '-once']);
    expect(renderTemplate(['-newtab', 'telnet {vip} {port}'], { vip: 'fd00::100', port: 23 })).toEqual(['-newtab', 'telnet fd00::100 23']);
  });

  it.each([
    ['10.0.0.1;calc', /vip: /],
    ['$(reboot)', /vip: /],
    ['-oProxyCommand=x', /vip: /],
    ['', /vip: /],
  ])('refuses the VIP %j', (vip, re) => {
    expect(() => renderTemplate(['{vip}'], { vip })).toThrow(re);
  });

  it('refuses a placeholder without a value, and out-of-range numbers', () => {
    expect(() => renderTemplate([':{display}', '{vip}'], { vip: '10.0.0.1' })).toThrow(/uses \{display\} but no display/);
    expect(() => renderTemplate(['{vip}'], { vip: '10.0.0.1', display: 1000 })).toThrow(/display: must be 0–999/);
    expect(() => renderTemplate(['{vip}', '{port}'], { vip: '10.0.0.1', port: 0 })).toThrow(/port: must be 1–65535/);
  });
});

describe('templateProblems', () => {
  it('accepts every catalog template', () => {
    for (const l of LAUNCHERS) if (l.argsTemplate) expect(templateProblems(l.argsTemplate), l.id).toEqual([]);
  });

  it('names each problem by its index', () => {
    expect(templateProblems(['-query', '{host}'])).toEqual(['argsTemplate[1]: unknown placeholder {host} (use {vip}, {display} or {port})', 'argsTemplate: must contain {vip} (the address Connect me connects to)']);
    expect(templateProblems(['{vip}', 'a|b', '`x`', '"q"', "it's", '%PATH%', 'x^y', 'a\nb'])).toHaveLength(7);
  });

  it('never renders a metacharacter from any valid IPv4 VIP into any catalog template (property)', () => {
    const templates = LAUNCHERS.filter((l) => l.argsTemplate).map((l) => l.argsTemplate!);
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 999 }), fc.integer({ min: 1, max: 65535 }), fc.constantFrom(...templates), (vip, display, port, tpl) => {
        const argv = renderTemplate(tpl, { vip, display, port });
        for (const a of argv) expect(a).toMatch(/^[A-Za-z0-9 _.,:=+@#/\\[\]-]*$/);
        expect(argv.some((a) => a.includes(vip))).toBe(true);
      }),
    );
  });
});

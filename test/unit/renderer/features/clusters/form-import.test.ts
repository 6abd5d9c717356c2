import { describe, expect, it } from 'vitest';
import { fieldLabel } from '../../../../../renderer/features/clusters/field-labels.ts';
import { importBase, labelOfKey, mergeImport, newDraft, offlineWarnings, setAt, validateDraft } from '../../../../../renderer/features/clusters/form-model.ts';

describe('the form in its own words', () => {
  it('names profile paths the way the form shows them', () => {
    expect(fieldLabel(['realservers', 1, 'host'])).toBe('Realserver 2: host');
    expect(fieldLabel(['tcp', 0, 'port'])).toBe('TCP service 1: port');
    expect(fieldLabel(['udp', 0, 'persistence', 'timeout'])).toBe('UDP service 1: persistence');
    expect(fieldLabel(['director', 'auth', 'keyPath'])).toBe('Director: private key file');
    expect(fieldLabel(['realservers', 2, 'ssh', 'auth', 'keyPath'])).toBe('Realserver 3: SSH private key file');
    expect(fieldLabel(['vip'])).toBe('Virtual IP (VIP)');
    expect(fieldLabel(['realservers', 0])).toBe('Realserver 1');
    expect(labelOfKey('director.host')).toBe('Director: host');
  });

  it('field messages refer to other fields by label, never by path', () => {
    const d = { ...newDraft(), id: 'x', name: 'X', vip: '10.0.0.50', director: { host: '10.0.0.1', user: 'root' }, realservers: [{ host: '10.0.0.2' }, { host: '10.0.0.2' }] };
    expect(validateDraft(d).errors.get('realservers.1.host')).toBe('duplicate realserver 10.0.0.2 (also Realserver 1)');
  });

  it('warns offline when the VIP is off the director\'s subnet (both addresses), not for names', () => {
    const d = { ...newDraft(), vip: '192.168.5.100', director: { host: '10.77.0.1' } };
    expect(offlineWarnings(d).get('vip')).toMatch(/^VIP 192\.168\.5\.100 is not on the director's subnet 10\.77\.0\.0\/24/);
    expect(offlineWarnings(setAt(d, ['vipPrefix'], 8)).get('vip')).toMatch(/10\.0\.0\.0\/8/);
    expect(offlineWarnings(setAt(d, ['vip'], '10.77.0.100')).size).toBe(0);
    expect(offlineWarnings(setAt(d, ['director', 'host'], 'director.lab')).size).toBe(0);
  });
});

describe('an lvs.conf import into a half-filled form', () => {
  it('sends the valid fields as the base, with placeholders only for what is missing', () => {
    const d = setAt(setAt(newDraft(), ['vipPrefix'], 16), ['name'], '');
    const base = importBase(d);
    expect(base).toMatchObject({ id: 'import', name: 'import', director: { host: 'localhost' }, vipPrefix: 16, vipIf: 'eth0:110' });
    expect(base.vip).toBeUndefined();
  });

  it('takes only the fields the file set and keeps the rest (empty ones too: no placeholder shows)', () => {
    const d = setAt(newDraft(), ['vipPrefix'], 16);
    const imported = { id: 'import', name: 'import', director: { host: 'localhost', user: 'root' }, vip: '10.5.0.50', vipPrefix: 24, realservers: [{ host: '10.5.0.2' }] };
    const m = mergeImport(d, imported, ['vip', 'realservers']);
    expect(m).toMatchObject({ vip: '10.5.0.50', vipPrefix: 16, name: '', id: '', realservers: [{ host: '10.5.0.2' }] });
    expect(m.director).toEqual(d.director);
    const missing = [...(validateDraft(m).errors.keys())].map(labelOfKey);
    expect(missing).toEqual(expect.arrayContaining(['Name', 'Director: host']));
  });
});

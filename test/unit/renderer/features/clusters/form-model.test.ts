import { describe, expect, it } from 'vitest';
import { appendAt, clusterBaseSchema, friendlyMessage, getAt, idFromName, newDraft, numberish, portish, removeAt, setAt, validateDraft } from '../../../../../renderer/features/clusters/form-model.ts';

describe('cluster form model', () => {
  it('sets and gets by path without mutating, creating containers on the way', () => {
    const a = { director: { host: 'x' } };
    const b = setAt(a, ['director', 'port'], 2222);
    expect(a).toEqual({ director: { host: 'x' } });
    expect(b).toEqual({ director: { host: 'x', port: 2222 } });
    expect(getAt(setAt({}, ['realservers', 0, 'host'], '10.0.0.2'), ['realservers', 0, 'host'])).toBe('10.0.0.2');
    expect(setAt(b, ['director', 'port'], undefined)).toEqual({ director: { host: 'x' } });
  });

  it('appends and removes array items', () => {
    const d = appendAt(appendAt({}, ['tcp'], { port: 23 }), ['tcp'], { port: 80 });
    expect(d).toEqual({ tcp: [{ port: 23 }, { port: 80 }] });
    expect(removeAt(d, ['tcp'], 0)).toEqual({ tcp: [{ port: 80 }] });
  });

  it('turns typed text into numbers only when it is one', () => {
    expect(numberish('')).toBeUndefined();
    expect(numberish(' 24 ')).toBe(24);
    expect(numberish('2x')).toBe('2x');
    expect(portish('telnet')).toBe('telnet');
    expect(portish('177')).toBe(177);
  });

  it('reports each invalid field of a new draft by its path', () => {
    const v = validateDraft(newDraft());
    expect(v.ok).toBe(false);
    expect(v.errors.get('id')).toMatch(/lowercase/);
    expect(v.errors.get('director.host')).toBe('host is empty');
    expect(v.errors.get('vip')).toBe('host is empty');
    expect(v.errors.has('vipIf')).toBe(false);
  });

  it('reports a shell metacharacter, a bad port name and a duplicate realserver at their fields', () => {
    let d = newDraft();
    d = setAt(d, ['id'], 'lab');
    d = setAt(d, ['name'], 'Lab');
    d = setAt(d, ['director', 'host'], '10.0.0.1;reboot');
    d = setAt(d, ['vip'], '10.0.0.50');
    d = setAt(d, ['tcp', 0, 'port'], 'telnetz');
    d = setAt(d, ['realservers'], [{ host: '10.0.0.2' }, { host: '10.0.0.2' }]);
    const v = validateDraft(d);
    expect(v.errors.get('director.host')).toMatch(/shell metacharacter/);
    expect(v.errors.get('tcp.0.port')).toBeDefined();
    expect(v.errors.get('realservers.1.host')).toMatch(/duplicate realserver/);
  });

  it('accepts the seed example and applies defaults', () => {
    let d = newDraft();
    d = { ...d, id: 'lab', name: 'Lab', vip: '10.0.0.50', director: { host: '10.0.0.1', user: 'root' }, realservers: [{ host: '10.0.0.2' }, { host: '10.0.0.3', weight: 2 }] };
    const v = validateDraft(d);
    expect(v.ok).toBe(true);
    if (v.ok) {
      expect(v.cluster.director.port).toBe(22);
      expect(v.cluster.realservers[0]!.weight).toBe(1);
    }
  });

  it('rewords generic zod messages and keeps the schema\'s own', () => {
    expect(friendlyMessage('Too small: expected string to have >=1 characters')).toBe('required');
    expect(friendlyMessage('Invalid input: expected number, received string')).toBe('must be a number');
    expect(friendlyMessage('Invalid input: expected string, received undefined')).toBe('required');
    expect(friendlyMessage('host is empty')).toBe('host is empty');
    const v = validateDraft({ ...newDraft(), vipPrefix: '2x' });
    expect(v.errors.get('vipPrefix')).toBe('must be a number');
    expect(v.errors.get('name')).toBe('required');
  });

  it('checks the import base (id, name, director) without the rest of the profile', () => {
    expect(clusterBaseSchema.safeParse({ id: 'old', name: 'Old', director: { host: '10.0.0.1', user: 'root' } }).success).toBe(true);
    const bad = clusterBaseSchema.safeParse({ id: 'old', name: 'Old', director: { host: '', user: 'root' } });
    expect(bad.success).toBe(false);
  });

  it('suggests an id from a name', () => {
    expect(idFromName('Lab Cluster #1')).toBe('lab-cluster-1');
  });
});

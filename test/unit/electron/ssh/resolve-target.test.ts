import { describe, expect, it } from 'vitest';
import { realserverSchema, sshTargetSchema } from '../../../../shared/model/cluster.ts';
import { resolveDirectorTarget, resolveRealserverTarget } from '../../../../electron/ssh/resolve-target.ts';

const director = sshTargetSchema.parse({ host: '10.0.0.1', port: 2222, user: 'lvsadmin', auth: { method: 'password', secretRef: 'dir-pw' }, sudo: { secretRef: 'dir-sudo' }, legacyAlgorithms: true });

describe('resolve-target', () => {
  it('labels the director "director HOST"', () => {
    expect(resolveDirectorTarget(director)).toEqual({ target: director, label: 'director 10.0.0.1' });
  });
  it('a realserver without ssh settings inherits everything but viaDirector, and is labelled by name', () => {
    const rs = realserverSchema.parse({ host: '10.0.0.11', name: 'rs1' });
    expect(resolveRealserverTarget(director, rs)).toEqual({
      label: 'rs1',
      target: { host: '10.0.0.11', port: 2222, user: 'lvsadmin', auth: { method: 'password', secretRef: 'dir-pw' }, sudo: { secretRef: 'dir-sudo' }, legacyAlgorithms: true, viaDirector: false },
    });
  });
  it('fields set on the realserver win; unset ones are NOT the schema defaults (port 22, agent) but the director\'s', () => {
    const rs = realserverSchema.parse({ host: '10.0.0.12', ssh: { user: 'root', auth: { method: 'agent' }, legacyAlgorithms: false } });
    const r = resolveRealserverTarget(director, rs);
    expect(r.label).toBe('10.0.0.12');
    expect(r.target).toMatchObject({ host: '10.0.0.12', port: 2222, user: 'root', auth: { method: 'agent' }, legacyAlgorithms: false });
  });
  it('viaDirector adds the director as the jump host; ssh.host overrides the address', () => {
    const rs = realserverSchema.parse({ host: '10.1.0.13', name: 'rs3', ssh: { host: '192.168.9.13', port: 22, viaDirector: true } });
    const r = resolveRealserverTarget(director, rs);
    expect(r.target.host).toBe('192.168.9.13');
    expect(r.target.port).toBe(22);
    expect(r.via).toEqual({ target: director, label: 'director 10.0.0.1' });
  });
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDirectorTarget, resolveRealserverTarget } from '../../../../electron/ssh/resolve-target.ts';
import { SessionPool } from '../../../../electron/ssh/session-pool.ts';
import { parseSshConfig } from '../../../../electron/ssh/ssh-config.ts';
import { realserverSchema, sshTargetSchema } from '../../../../shared/model/cluster.ts';
import { generateKey, sshdUnavailable, startSshd, type TestSshd } from '../../../support/sshd.ts';
import { eventLog, rejection, secretsOf, trustWith, waitFor } from './support.ts';

const skip = sshdUnavailable();
if (skip) console.warn(`session pool tests skipped: ${skip}`);

describe.skipIf(skip)('SessionPool: jump host through the director (two real sshds)', { timeout: 90_000 }, () => {
  let director: TestSshd;
  let rs: TestSshd;
  let keyPath: string;
  const pools: SessionPool[] = [];
  const newPool = (lines: string[], extra: Partial<ConstructorParameters<typeof SessionPool>[0]> = {}) => {
    const p = new SessionPool({ trust: trustWith(director.dir, lines).trust, secrets: secretsOf({}), ...extra });
    pools.push(p);
    return p;
  };
  const directorTarget = () => sshTargetSchema.parse({ host: '127.0.0.1', port: director.port, user: 'root', auth: { method: 'key', keyPath } });
  // The director's sshd logs each forwarded connection at DEBUG1:
  // "server_request_direct_tcpip: originator 127.0.0.1 port 0, target 127.0.0.1 port N".
  const forwardsTo = (port: number) => (director.log().match(new RegExp(`server_request_direct_tcpip: originator .*, target 127\\.0\\.0\\.1 port ${port}\\b`, 'g')) ?? []).length;

  beforeAll(async () => {
    director = await startSshd({ logLevel: 'DEBUG1' });
    rs = await startSshd();
    const k = generateKey(director.dir, 'client', { type: 'ed25519' });
    keyPath = k.privatePath;
    director.authorize('root', k.publicLine);
    rs.authorize('root', k.publicLine);
  });
  afterAll(async () => {
    for (const p of pools) await p.closeAll();
    await rs?.stop();
    await director?.stop();
  });

  it('a realserver with viaDirector is reached over the director session\'s forwardOut, sharing its one connection', async () => {
    const pool = newPool([...director.knownHostsLines(), ...rs.knownHostsLines()]);
    const rsResolved = resolveRealserverTarget(directorTarget(), realserverSchema.parse({ host: '127.0.0.1', name: 'rs1', ssh: { port: rs.port, viaDirector: true } }));
    const dirSession = pool.session(resolveDirectorTarget(directorTarget()));
    const rsSession = pool.session(rsResolved);
    expect(rsSession.key).toBe(`root@127.0.0.1:${rs.port} via ${dirSession.key}`);
    expect((await dirSession.exec(['echo', 'director'])).stdout).toBe('director\n');
    expect((await rsSession.exec(['echo', 'realserver'])).stdout).toBe('realserver\n');
    expect((await rsSession.exec(['echo', 'again'])).stdout).toBe('again\n');
    expect(director.connectionCount()).toBe(1);
    expect(rs.connectionCount()).toBe(1);
    await waitFor(() => forwardsTo(rs.port) === 1, 'the director to log the forwarded connection');
  });

  it('the jumped host\'s own key is verified (unknown refused although the director is trusted)', async () => {
    const pool = newPool(director.knownHostsLines());
    const e = await rejection(
      pool.session(resolveRealserverTarget(directorTarget(), realserverSchema.parse({ host: '127.0.0.1', name: 'rs1', ssh: { port: rs.port, viaDirector: true } }))).exec(['true']),
    );
    expect(e.code).toBe('HOST_KEY_UNKNOWN');
    expect(e.message).toMatch(/^rs1: host key of 127\.0\.0\.1:\d+ is not trusted yet/);
  });

  it('a ProxyJump entry in ~/.ssh/config (HostName, Port, User, ProxyJump) routes through the jump host', async () => {
    const before = forwardsTo(rs.port);
    const config = parseSshConfig(
      [`Host lab-director`, `  HostName 127.0.0.1`, `  Port ${director.port}`, `  User root`, `Host lab-rs`, `  HostName 127.0.0.1`, `  Port ${rs.port}`, `  ProxyJump lab-director`].join('\n'),
      'ssh_config',
    );
    const { events, onEvent } = eventLog();
    const pool = newPool([...director.knownHostsLines(), ...rs.knownHostsLines()], { sshConfig: config, onEvent });
    const s = pool.session({ label: 'rs-alias', target: sshTargetSchema.parse({ host: 'lab-rs', user: 'root', auth: { method: 'key', keyPath } }) });
    expect((await s.exec(['echo', 'via config'])).stdout).toBe('via config\n');
    expect(s.key).toBe(`root@127.0.0.1:${rs.port} via root@127.0.0.1:${director.port}`);
    expect(events.filter((e) => e.type === 'connecting').map((e) => (e as { label: string }).label)).toEqual(['rs-alias', 'jump lab-director']);
    await waitFor(() => forwardsTo(rs.port) === before + 1, 'the director to log the forwarded connection');
  });

  it('identity files from ~/.ssh/config are used with the agent method when no agent is running', async () => {
    const config = parseSshConfig(`Host lab\n  HostName 127.0.0.1\n  IdentityFile ${join(director.dir, 'client')}\n`, 'ssh_config');
    const pool = newPool(director.knownHostsLines(), { sshConfig: config, agent: { env: {} } });
    const s = pool.session({ label: 'lab', target: sshTargetSchema.parse({ host: 'lab', port: director.port, user: 'root' }) });
    expect((await s.exec(['echo', 'idfile'])).stdout).toBe('idfile\n');
  });
});

/**
 * Child of dead-path.test.ts: connects through the relay (argv: PORT SSHD_DIR), says "connected", runs a command that
 * times out once the relay black-holes the path, closes the pool and returns: the process must then exit by itself.
 */
import { join } from 'node:path';
import { SessionPool } from '../../../../electron/ssh/session-pool.ts';
import { sshTargetSchema } from '../../../../shared/model/cluster.ts';
import { secretsOf, trustWith } from './support.ts';

const [port, dir] = process.argv.slice(2) as [string, string];
const known = (process.env.DEAD_PATH_KNOWN ?? '').split('\n').filter(Boolean);
const pool = new SessionPool({ trust: trustWith(dir, known).trust, secrets: secretsOf({}) });
const s = pool.session({ label: 'rs1', target: sshTargetSchema.parse({ host: '127.0.0.1', port: Number(port), user: 'root', auth: { method: 'key', keyPath: join(dir, 'client') } }) });
await s.exec(['true']);
console.log('connected');
await new Promise((r) => setTimeout(r, 300));
try {
  await s.exec(['sleep', '5'], { timeoutMs: 1000 });
  console.log('no timeout?');
} catch (e) {
  console.log((e as { code?: string }).code);
}
await pool.closeAll();

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nodeMainDeps } from '../../../../electron/ipc/main-deps.ts';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

describe('nodeMainDeps (what the web host hands to createHandlers)', () => {
  it('wires JSON stores, the audit log (pushing audit.entry) and the app log in one folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lvs-deps-'));
    dirs.push(dir);
    const emit = vi.fn();
    const deps = nodeMainDeps({ dir, emit, log: vi.fn() });
    deps.stores.profiles.save({ id: 'lab', name: 'Lab', director: { host: '10.77.0.2', user: 'root' }, vip: '10.77.0.100' });
    expect(existsSync(path.join(dir, 'lvs-console.json'))).toBe(true);
    deps.stores.secrets.set('lab.pw', 'sekrit-value');
    const e = deps.audit.append({ time: 1, host: 'director', argv: ['echo', 'sekrit-value'], code: 0, durationMs: 1, outputExcerpt: '' });
    expect(e.argv).toEqual(['echo', '********']);
    expect(emit).toHaveBeenCalledWith('audit.entry', e);
    expect(existsSync(path.join(dir, 'audit', 'audit.jsonl'))).toBe(true);
    expect(deps.launch.platform).toBe(process.platform === 'win32' ? 'win32' : 'linux');
  });

  it('default log goes to the app.log event', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lvs-deps-'));
    dirs.push(dir);
    const emit = vi.fn();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      nodeMainDeps({ dir, emit }).log('warn', 'hello');
    } finally {
      stderr.mockRestore();
    }
    expect(emit).toHaveBeenCalledWith('app.log', { time: expect.any(Number), level: 'warn', message: 'hello' });
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, contentTypeFor, resolveAppFile } from '../../../../electron/security/app-protocol.ts';

const root = '/opt/lvs/out/renderer';

describe('resolveAppFile', () => {
  it('maps app:// URLs into the renderer folder', () => {
    expect(resolveAppFile(root, APP_INDEX_URL)).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://lvs-console/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://lvs-console/assets/index-abc.js?v=1#x')).toBe(path.join(root, 'assets/index-abc.js'));
    expect(resolveAppFile(root, 'app://lvs-console/assets/a%20b.css')).toBe(path.join(root, 'assets/a b.css'));
  });

  it.each([
    'app://lvs-console/../../etc/passwd',
    'app://lvs-console/%2e%2e/%2e%2e/etc/passwd',
    'app://lvs-console/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd',
  ])('keeps dot segments inside the renderer folder: %s', (url) => {
    expect(resolveAppFile(root, url)).toBe(path.join(root, 'etc/passwd'));
  });

  it.each([
    'app://lvs-console/..%5c..%5cwindows%5cwin.ini',
    'app://lvs-console/a%00.js',
    'app://other-host/index.html',
    'file:///opt/lvs/out/renderer/index.html',
    'app://lvs-console/%E0%A4%A',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppFile(root, url)).toBeUndefined();
  });

  it('gives the renderer build\'s files a content type', () => {
    expect(contentTypeFor('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/x/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/x/unknown.bin')).toBe('application/octet-stream');
  });
});

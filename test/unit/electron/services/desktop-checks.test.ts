/**
 * The doctor's desktop checks against real sockets on 127.0.0.1: a telnet server that negotiates options before its
 * login prompt (as telnetd does), a refused port, and an XDMCP manager answering Willing / a silent one.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { telnetBanner } from '../../../../electron/services/desktop-checks.ts';
import { fixMovesPeer } from '../../../../electron/services/realserver-routes.ts';
import { freePort } from '../../../support/sshd.ts';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

describe('telnetBanner', () => {
  it('refuses every option the server asks for and returns the text up to the login prompt', async () => {
    const got: number[] = [];
    const srv = createServer((c) => {
      // IAC DO TERMINAL-TYPE, IAC WILL ECHO, IAC SB … IAC SE, then the banner once the client answered
      c.write(Buffer.from([255, 253, 24, 255, 251, 1, 255, 250, 24, 1, 255, 240]));
      c.once('data', (d) => {
        got.push(...d);
        c.write('\r\nDebian GNU/Linux 12\r\nrs2 login: ');
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    closers.push(() => srv.close());
    const r = await telnetBanner('127.0.0.1', (srv.address() as { port: number }).port, 3000);
    expect(r.answered).toBe(true);
    expect(r.text.replace(/\r/g, '')).toMatch(/rs2 login: $/);
    expect(got).toEqual([255, 252, 24, 255, 254, 1]); // WONT TERMINAL-TYPE, DONT ECHO
  });
  it('a refused port answered (something is there), with no text', async () => {
    const port = await freePort();
    expect(await telnetBanner('127.0.0.1', port, 2000)).toEqual({ answered: true, spoke: false, text: '' });
  });
  it('a server that negotiates but shows no prompt within the timeout spoke (no text); one that says nothing did not', async () => {
    const negotiates = createServer((c) => void c.write(Buffer.from([255, 253, 24])));
    const silent = createServer(() => undefined);
    const socks: Socket[] = [];
    for (const srv of [negotiates, silent]) {
      srv.on('connection', (c) => socks.push(c));
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      closers.push(() => {
        for (const c of socks) c.destroy();
        srv.close();
      });
    }
    expect(await telnetBanner('127.0.0.1', (negotiates.address() as { port: number }).port, 500)).toEqual({ answered: true, spoke: true, text: '' });
    expect(await telnetBanner('127.0.0.1', (silent.address() as { port: number }).port, 500)).toEqual({ answered: true, spoke: false, text: '' });
  });
});

describe('xdmcpWilling', () => {
  it('true on a Willing, false when nothing answers', async () => {
    const { xdmcpWilling } = await import('../../../../electron/services/desktop-checks.ts');
    // xdmcpWilling always asks port 177; bind a manager there when the test may (root), else only the silent case.
    const mgr = createSocket('udp4');
    const bound = await new Promise<boolean>((res) => {
      mgr.once('error', () => res(false));
      mgr.bind(177, '127.0.0.2', () => res(true));
    });
    if (bound) {
      closers.push(() => mgr.close());
      mgr.on('message', (_m, from) => mgr.send(Buffer.from('00010005000b0000000372733100026f6b', 'hex'), from.port, from.address));
      expect(await xdmcpWilling('127.0.0.2', 2000)).toEqual({ answered: true, willing: true, hostname: 'rs1' });
    } else mgr.close();
    expect((await xdmcpWilling('127.0.0.3', 800)).willing).toBe(false);
  });
});

describe('fixMovesPeer: does the route fix change how the realserver answers this console?', () => {
  const routes = [
    { dest: 'default', prefix: 0, gateway: '10.0.0.1', dev: 'eth0', line: 1 },
    { dest: '10.0.0.0', prefix: 24, dev: 'eth0', line: 2 },
  ];
  const del = [{ host: 'rs1', argv: ['ip', 'route', 'del', '10.0.0.0/24', 'dev', 'eth0'], why: '' }];
  it('a desktop on the subnet being removed: yes; the director (the gateway) itself: no', () => {
    expect(fixMovesPeer('10.0.0.60', '10.0.0.1', routes, del)).toBe(true);
    expect(fixMovesPeer('10.0.0.1', '10.0.0.1', routes, del)).toBe(false);
  });
  it('a desktop elsewhere: only when the default route changes', () => {
    expect(fixMovesPeer('192.168.5.9', '10.0.0.1', routes, del)).toBe(false);
    expect(fixMovesPeer('192.168.5.9', '10.0.0.1', routes, [{ host: 'rs1', argv: ['ip', 'route', 'replace', 'default', 'via', '10.0.0.1', 'dev', 'eth0'], why: '' }])).toBe(true);
  });
});

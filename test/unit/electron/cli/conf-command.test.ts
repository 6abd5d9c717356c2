import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import conf from '../../../../electron/cli/commands/conf.ts';
import type { CliIo } from '../../../../electron/cli/io.ts';
import { main } from '../../../../electron/cli/lvsctl.ts';

const path = (name: string) => fileURLToPath(new URL(`../../../fixtures/lvs-conf/${name}`, import.meta.url));

/** Runs `lvsctl conf ARGS` in-process and captures its streams. */
async function run(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), readStdin: async () => stdin };
  const code = await conf(args, io);
  return { code, out, err };
}

describe('lvsctl conf check', () => {
  it('passes the seed-style file', async () => {
    const f = path('seed-style.conf');
    expect(await run(['check', f])).toEqual({ code: 0, out: `${f}: ok (6 variables)\n`, err: '' });
  });

  it('counts unknown variables too', async () => {
    const f = path('unknown-and-exports.conf');
    expect((await run(['check', f])).out).toBe(`${f}: ok (11 variables)\n`);
  });

  // The director's /bin/sh keeps each CR in its line (VIP would be "10.0.0.100\r"): such a file is not ok to source.
  it('fails a CRLF file at its first CR, saying why', async () => {
    const f = path('crlf.conf');
    expect(await run(['check', f])).toEqual({ code: 1, out: '', err: `${f}:1:65: CRLF line end (a Windows editor's): /bin/sh reads the CR as part of the line, so a value would end in CR and a blank line would run a command named CR; save the file with LF line ends (importing it converts them)\n` });
  });

  it('fails a file that is not UTF-8 at the first bad byte (file and stdin)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conf-cmd-'));
    const f = join(dir, 'latin1.conf');
    writeFileSync(f, Buffer.concat([Buffer.from('VIP=10.0.0.1\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    expect(await run(['check', f])).toEqual({
      code: 1,
      out: '',
      err: `${f}:2:6: byte 0xE9 is not UTF-8: /bin/sh would read the raw bytes, the console cannot show them as they are; save the file as UTF-8\n`,
    });
    // stdin is read decoded: the byte is U+FFFD by then
    expect((await run(['check', '-'], 'VIP=a\ufffd\n')).err).toMatch(/^-:1:6: U\+FFFD/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails a reserved variable such as PATH', async () => {
    expect(await run(['check', '-'], 'VIP=10.0.0.1\nVIP_IF=eth0:1\nLVS_IF=eth0\nPATH=/tmp\n')).toEqual({
      code: 1,
      out: '',
      err: "-:4:1: 'PATH' cannot be set in lvs.conf: it changes where the director's root script finds the programs and directories it runs\n",
    });
  });

  it('fails with FILE:LINE:COL on stderr for something the shell would run', async () => {
    const f = path('invalid-command-substitution.conf');
    expect(await run(['check', f])).toEqual({
      code: 1,
      out: '',
      err: `${f}:4:6: command substitution '$(…)' is not allowed in lvs.conf (the shell would run it)\n`,
    });
  });

  it('fails with one located line per bad value', async () => {
    const f = path('invalid-values.conf');
    const r = await run(['check', f]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toEqual([
      `${f}:2:5: VIP="10.0.0.300": not a host name, IPv4 or IPv6 address`,
      `${f}:3:8: VIP_IF="eth0": expected an alias such as eth0:110 (interface, ":", label)`,
      `${f}:5:16: TPORTS item "23": duplicate TCP port 23 (also at 5:9)`,
      `${f}:5:19: TPORTS item "gopherx": not a port number 1–65535 or a known service name`,
      `${f}:9:1: RIPS item "rs1": duplicate realserver rs1 (also at 7:7)`,
      '',
    ]);
  });

  it("reads standard input for '-'", async () => {
    expect(await run(['check', '-'], 'VIP=10.0.0.1\nVIP_IF=eth0:1\nLVS_IF=eth0\n')).toEqual({ code: 0, out: '-: ok (3 variables)\n', err: '' });
    expect(await run(['check', '-'], 'VIP=10.0.0.1 ; reboot\n')).toEqual({
      code: 1,
      out: '',
      err: "-:1:14: ';' would run another command; lvs.conf may only assign variables\n",
    });
  });

  it('exits 3 when the file cannot be read', async () => {
    const r = await run(['check', '/nonexistent/lvs.conf']);
    expect(r).toEqual({ code: 3, out: '', err: 'lvsctl conf: cannot read /nonexistent/lvs.conf: ENOENT\n' });
  });
});

describe('lvsctl conf show', () => {
  it('prints a table with one list item per row', async () => {
    const r = await run(['show', path('seed-style.conf')]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'VARIABLE  VALUE     LINE',
        'VIP       epsg9008  15',
        'VIP_IF    eth0:110  21',
        'LVS_IF    eth0      27',
        'TPORTS    telnet    33',
        'UPORTS    xdmcp     37',
        'RIPS      epsg9010  41',
        '          epsg9011  42',
        '          epsg9012  43',
        '          epsg9013  44',
        '          epsg9014  45',
        '          epsg9015  46',
        '',
      ].join('\n'),
    );
  });

  it('marks exported variables and shows empty values', async () => {
    const r = await run(['show', '-'], 'export A="x\ty"\nRIPS=\nB=\n');
    expect(r.out).toBe(['VARIABLE    VALUE    LINE', 'A (export)  x\\ty     1', 'RIPS        (empty)  2', 'B                    3', ''].join('\n'));
  });

  it('prints stable JSON with --json: file order, lists as arrays', async () => {
    const r = await run(['show', path('unknown-and-exports.conf'), '--json']);
    expect(r.code).toBe(0);
    expect(r.out.endsWith('}\n')).toBe(true);
    const obj = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(obj)).toEqual(['VIP', 'VIP_IF', 'LVS_IF', 'TPORTS', 'UPORTS', 'RIPS', 'PING_COUNT', 'LOGFILE', 'MOTD', 'EMPTY', 'MIXED']);
    expect(obj).toMatchObject({ TPORTS: ['telnet', 'ssh', '6000'], UPORTS: ['xdmcp'], PING_COUNT: '2', EMPTY: '' });
    expect(r.out).toBe(JSON.stringify(obj, null, 2) + '\n');
  });

  it('refuses the CRLF file like check, and shows its LF text', async () => {
    const f = path('crlf.conf');
    expect(await run(['show', '--json', f])).toEqual({ code: 1, out: '', err: `${f}:1:65: CRLF line end (a Windows editor's): /bin/sh reads the CR as part of the line, so a value would end in CR and a blank line would run a command named CR; save the file with LF line ends (importing it converts them)\n` });
    const lf = await run(['show', '--json', '-'], readFileSync(f, 'utf8').replace(/\r\n/g, '\n'));
    expect(JSON.parse(lf.out)).toMatchObject({ VIP: '10.0.0.100', RIPS: ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14'] });
  });

  it('fails like check on a syntax error (values are not validated by show)', async () => {
    expect(await run(['show', '-'], 'VIP=`id`\n')).toEqual({ code: 1, out: '', err: '-:1:5: command substitution `…` is not allowed in lvs.conf (the shell would run it)\n' });
    expect((await run(['show', path('invalid-values.conf')])).code).toBe(0);
  });
});

describe('lvsctl conf usage', () => {
  it.each([
    [[], 'usage: lvsctl conf check FILE'],
    [['lint', 'x'], "lvsctl conf: unknown subcommand 'lint'"],
    [['check'], 'lvsctl conf check: expected exactly one FILE'],
    [['check', 'a', 'b'], 'lvsctl conf check: expected exactly one FILE'],
    [['check', '--json', 'a'], 'lvsctl conf check: unknown option --json'],
    [['show', '--yaml', 'a'], 'lvsctl conf show: unknown option --yaml'],
  ])('%j exits 2', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.startsWith(message)).toBe(true);
  });

  it('is reachable through the lvsctl dispatcher', async () => {
    let out = '';
    const io: CliIo = { out: (t) => void (out += t), err: () => undefined, readStdin: async () => '' };
    expect(await main(['conf', 'check', path('seed-style.conf')], io)).toBe(0);
    expect(out).toBe(`${path('seed-style.conf')}: ok (6 variables)\n`);
  });
});

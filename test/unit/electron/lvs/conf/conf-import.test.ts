import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importLvsConf } from '../../../../../electron/lvs/conf/conf-import.ts';
import { reservedNameReason } from '../../../../../electron/lvs/conf/conf-names.ts';
import { confVariables, parseLvsConf } from '../../../../../electron/lvs/conf/conf-parse.ts';
import { decodeLvsConf, importText } from '../../../../../electron/lvs/conf/conf-text.ts';
import { writeLvsConf } from '../../../../../electron/lvs/conf/conf-write.ts';
import { clusterFromDirectorConf } from '../../../../../electron/lvs/conf/director-conf.ts';
import { clusterSchema } from '../../../../../shared/model/cluster.ts';
import { AppError } from '../../../../../shared/result.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/lvs-conf/${name}`, import.meta.url));
const base = { id: 'lab', name: 'Lab', director: { host: '10.77.0.1', user: 'root' } };
const SIX = 'VIP=10.0.0.100\nVIP_IF=eth0:110\nLVS_IF=eth0\nTPORTS="telnet"\nUPORTS="xdmcp"\nRIPS="10.0.0.11 10.0.0.12"\n';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('INVALID_INPUT');
    return (e as AppError).message;
  }
  throw new Error('expected an AppError');
}

describe('decodeLvsConf', () => {
  it('decodes UTF-8 and keeps a byte-order mark for the parser to refuse', () => {
    expect(decodeLvsConf(Buffer.from('A=é😀\n', 'utf8'), 'f')).toBe('A=é😀\n');
    expect(decodeLvsConf(Buffer.from('\ufeffA=1\n', 'utf8'), 'f')).toBe('\ufeffA=1\n');
  });

  it.each([
    ['a Latin-1 é in a comment', Buffer.concat([Buffer.from('VIP=1\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]), '2:6', 'E9'],
    ['a stray continuation byte', Buffer.from([0x41, 0x3d, 0x80]), '1:3', '80'],
    ['an overlong /', Buffer.concat([Buffer.from('A=é'), Buffer.from([0xc0, 0xaf])]), '1:4', 'C0'],
    ['an encoded surrogate', Buffer.concat([Buffer.from('A=😀'), Buffer.from([0xed, 0xa0, 0x80])]), '1:4', 'ED'],
    ['beyond U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80]), '1:1', 'F4'],
    ['a sequence cut by the end of the file', Buffer.from([0x41, 0xe2, 0x82]), '1:2', 'E2'],
  ])('names the line and column of %s', (_what, bytes, at, hex) => {
    expect(messageOf(() => decodeLvsConf(bytes, 'etc/lvs.conf'))).toBe(
      `etc/lvs.conf:${at}: byte 0x${hex} is not UTF-8: /bin/sh would read the raw bytes, the console cannot show them as they are; save the file as UTF-8`,
    );
  });

  it('accepts exactly what a strict UTF-8 decoder accepts, with the same text', () => {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), fc.string({ unit: 'grapheme', maxLength: 6 }), (raw, text) => {
        const bytes = Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from(raw)]);
        let want: string | undefined;
        try {
          want = strict.decode(bytes);
        } catch {
          want = undefined;
        }
        if (want === undefined) expect(() => decodeLvsConf(bytes, 'f')).toThrow(/^f:\d+:\d+: byte 0x[0-9A-F]{2} is not UTF-8/);
        else expect(decodeLvsConf(bytes, 'f')).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('importText (a Windows editor’s file)', () => {
  it('converts CRLF to LF and drops a BOM, saying so', () => {
    expect(importText('\ufeffA=1\r\n\r\nB=2\r\n', 'w.conf')).toEqual({
      text: 'A=1\n\nB=2\n',
      warnings: [
        'w.conf: removed the UTF-8 byte-order mark (on the director /bin/sh would read it as part of the first line)',
        "w.conf: converted 3 CRLF line ends to LF (a Windows editor's; on the director /bin/sh would read each CR as part of its line)",
      ],
    });
  });

  it('leaves LF text alone and a lone CR for the parser to refuse', () => {
    expect(importText('A=1\n', 'f')).toEqual({ text: 'A=1\n', warnings: [] });
    expect(importText('A=1\rB=2\r\n', 'f').text).toBe('A=1\rB=2\n');
    expect(messageOf(() => parseLvsConf(importText('A=1\rB=2\r\n', 'f').text, 'f'))).toMatch(/^f:1:4: carriage return without a line feed/);
  });
});

describe('importLvsConf', () => {
  it('imports the Windows fixture with a warning, values without CR', () => {
    const r = importLvsConf(fixture('crlf.conf').toString('utf8'), 'crlf.conf', base);
    expect(r.warnings).toEqual(["crlf.conf: converted 12 CRLF line ends to LF (a Windows editor's; on the director /bin/sh would read each CR as part of its line)"]);
    expect(r.cluster).toMatchObject({ vip: '10.0.0.100', vipIf: 'eth0:110', lvsIf: 'eth0', tcp: [{ port: 'telnet' }, { port: 22 }], udp: [{ port: 'xdmcp' }] });
    expect(r.cluster.realservers!.map((s) => s.host)).toEqual(['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14']);
  });

  it('imports a Notepad file (BOM, CRLF, UDP 53) with one warning for each conversion and default', () => {
    const r = importLvsConf(fixture('windows-notepad.conf').toString('utf8'), 'windows-notepad.conf', base);
    expect(r.warnings).toEqual([
      'windows-notepad.conf: removed the UTF-8 byte-order mark (on the director /bin/sh would read it as part of the first line)',
      "windows-notepad.conf: converted 10 CRLF line ends to LF (a Windows editor's; on the director /bin/sh would read each CR as part of its line)",
      "windows-notepad.conf:7:15: UPORTS item \"53\": UDP 53 imported with health check 'none' (lvs.conf cannot say how to check it; give it a UDP payload and the reply to expect in the profile)",
    ]);
    expect(r.cluster).toMatchObject({ vip: '10.0.0.100', udp: [{ port: 'xdmcp' }, { port: 53, check: { kind: 'none' } }], realservers: [{ host: '10.0.0.11' }, { host: '10.0.0.12' }] });
  });

  it('imports a file without warnings when there is nothing to say', () => {
    expect(importLvsConf(SIX, 'lvs.conf', base).warnings).toEqual([]);
  });

  it("gives a UDP service other than 177 the check 'none' and says so, at the item", () => {
    const r = importLvsConf(SIX.replace('UPORTS="xdmcp"', 'UPORTS="xdmcp 53 snmp"'), 'lvs.conf', base);
    expect(r.cluster.udp).toEqual([{ port: 'xdmcp' }, { port: 53, check: { kind: 'none' } }, { port: 'snmp', check: { kind: 'none' } }]);
    expect(r.warnings).toEqual([
      "lvs.conf:5:15: UPORTS item \"53\": UDP 53 imported with health check 'none' (lvs.conf cannot say how to check it; give it a UDP payload and the reply to expect in the profile)",
      "lvs.conf:5:18: UPORTS item \"snmp\": UDP 161 imported with health check 'none' (lvs.conf cannot say how to check it; give it a UDP payload and the reply to expect in the profile)",
    ]);
    expect(clusterSchema.safeParse(r.cluster).success).toBe(true);
  });

  it('keeps the check the base profile has for that UDP port, without a warning', () => {
    const check = { kind: 'udp' as const, payload: '00', reply: '01' };
    const r = importLvsConf(SIX.replace('UPORTS="xdmcp"', 'UPORTS="53"'), 'lvs.conf', { ...base, udp: [{ port: 'domain', check }] });
    expect(r.cluster.udp).toEqual([{ port: 53, check }]);
    expect(r.warnings).toEqual([]);
  });

  it('refuses what the parser refuses, with its position (nothing half imported)', () => {
    expect(messageOf(() => importLvsConf(`${SIX}PATH=/tmp\n`, 'lvs.conf', base))).toMatch(/^lvs\.conf:7:1: 'PATH' cannot be set in lvs\.conf/);
    expect(messageOf(() => importLvsConf('VIP=1\nRIPS="a `reboot`"\n', 'bad.conf', base))).toMatch(/^bad\.conf:2:9: command substitution/);
  });
});

describe('clusterFromDirectorConf', () => {
  it('collects the UDP warnings in the sink it is given (and defaults the check without one)', () => {
    const vars = confVariables(parseLvsConf(SIX.replace('UPORTS="xdmcp"', 'UPORTS="53"'), 'd.conf'));
    const warnings: string[] = [];
    expect(clusterFromDirectorConf(vars, base, warnings).udp).toEqual([{ port: 53, check: { kind: 'none' } }]);
    expect(warnings).toHaveLength(1);
    expect(clusterFromDirectorConf(vars, base).udp).toEqual([{ port: 53, check: { kind: 'none' } }]);
  });
});

describe('reserved names', () => {
  it.each(['PATH', 'IFS', 'ENV', 'BASH_ENV', 'BASHOPTS', 'SHELLOPTS', 'CDPATH', 'PS4', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LC_ALL', 'LANG', 'GLIBC_TUNABLES', 'MALLOC_CHECK_', 'OPTIND', 'LINENO', 'RANDOM', 'HOME', 'PWD', 'HISTFILE', 'TMPDIR', '_'])(
    '%s is reserved',
    (name) => {
      expect(reservedNameReason(name)).toBeTruthy();
      expect(() => parseLvsConf(`${name}=x\n`, 'f')).toThrow(new RegExp(`^f:1:1: '${name}' cannot be set in lvs\\.conf: `));
      expect(() => parseLvsConf(`export ${name}\n`, 'f')).toThrow(new RegExp(`^f:1:8: '${name}' cannot be exported in lvs\\.conf: `));
    },
  );

  it.each(['VIP', 'VIP_IF', 'LVS_IF', 'TPORTS', 'UPORTS', 'RIPS', 'WEIGHTS', 'SCHEDULER', 'PERSISTENT', 'PING_COUNT', 'HISTORY_DAYS', 'path', 'LDAP_URI', '__proto__'])('%s is not reserved', (name) => {
    expect(reservedNameReason(name)).toBeUndefined();
    expect(confVariables(parseLvsConf(`${name}=x\n`, 'f')).get(name)!.value).toBe('x');
  });
});

describe('a 1 MB file with one 100,000-item line (correctness; the speed is in npm run bench)', () => {
  const hosts = Array.from({ length: 100_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  const text = `# big\nVIP=10.0.0.1\nRIPS="${hosts.join(' ')}"\nWEIGHTS='${hosts.slice(0, 1000).map((h) => `${h}=2`).join(' ')}'\n`;

  it('reads every item with its column and writes the file back', () => {
    expect(text.length).toBeGreaterThan(1_000_000);
    const doc = parseLvsConf(text, 'big.conf');
    const rips = confVariables(doc).get('RIPS')!;
    expect(rips.items).toHaveLength(100_000);
    let col = 7;
    const wrong = rips.items.findIndex((it, k) => {
      const ok = it.text === hosts[k] && it.line === 3 && it.col === col;
      col += hosts[k]!.length + 1;
      return !ok;
    });
    expect(wrong).toBe(-1);
    expect(rips.items[99_999]).toEqual({ text: '10.1.134.159', line: 3, col: text.split('\n')[2]!.lastIndexOf(' ') + 2 });
    expect(writeLvsConf(doc)).toBe(text);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { confJson, confVariables, parseLvsConf, type ConfAssignment } from '../../../../../electron/lvs/conf/conf-parse.ts';
import { writeLvsConf } from '../../../../../electron/lvs/conf/conf-write.ts';
import { AppError } from '../../../../../shared/result.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/lvs-conf/${name}`, import.meta.url), 'utf8');
const json = (text: string) => confJson(confVariables(parseLvsConf(text, 'lvs.conf')));

/** The error parseLvsConf throws for text (fails the test if it parses). */
function errorOf(text: string, file = 'lvs.conf'): AppError {
  try {
    parseLvsConf(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseLvsConf: the seed-style fixture', () => {
  const text = fixture('seed-style.conf');
  const doc = parseLvsConf(text, 'seed-style.conf');

  it('reads the six variables as the seed script would', () => {
    expect(confJson(confVariables(doc))).toEqual({
      VIP: 'epsg9008',
      VIP_IF: 'eth0:110',
      LVS_IF: 'eth0',
      TPORTS: ['telnet'],
      UPORTS: ['xdmcp'],
      RIPS: ['epsg9010', 'epsg9011', 'epsg9012', 'epsg9013', 'epsg9014', 'epsg9015'],
    });
  });

  it('writes back byte for byte', () => {
    expect(writeLvsConf(doc)).toBe(text);
  });

  it('keeps the comments as statements and the RIPS continuation as one statement', () => {
    const kinds = doc.statements.map((s) => s.kind);
    expect(kinds.filter((k) => k === 'assign')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'comment').length).toBeGreaterThan(20);
    const rips = doc.statements.find((s) => s.kind === 'assign' && s.name === 'RIPS') as ConfAssignment;
    expect(rips.raw.split('\n')).toHaveLength(7);
    expect(rips.quoting).toBe('double');
  });

  it('gives each RIPS item the line and column it was written at', () => {
    const rips = confVariables(doc).get('RIPS')!;
    const first = text.split('\n').findIndex((l) => l.startsWith('RIPS=')) + 1;
    expect(rips.items.map((i) => [i.text, i.line, i.col])).toEqual([
      ['epsg9010', first, 7],
      ['epsg9011', first + 1, 1],
      ['epsg9012', first + 2, 1],
      ['epsg9013', first + 3, 1],
      ['epsg9014', first + 4, 1],
      ['epsg9015', first + 5, 1],
    ]);
    expect([rips.line, rips.col]).toEqual([first, 6]);
  });
});

describe('parseLvsConf: CRLF input', () => {
  const text = fixture('crlf.conf');

  it('is really CRLF on disk', () => {
    expect(text.split('\r\n').length).toBeGreaterThan(10);
  });

  it('reads the values without carriage returns', () => {
    expect(json(text)).toEqual({
      VIP: '10.0.0.100',
      VIP_IF: 'eth0:110',
      LVS_IF: 'eth0',
      TPORTS: ['telnet', '22'],
      UPORTS: ['xdmcp'],
      RIPS: ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14'],
    });
  });

  it('writes LF, otherwise identical', () => {
    expect(writeLvsConf(parseLvsConf(text, 'crlf.conf'))).toBe(text.replace(/\r\n/g, '\n'));
  });
});

describe('parseLvsConf: unknown variables, exports and odd quoting', () => {
  const text = fixture('unknown-and-exports.conf');
  const vars = confVariables(parseLvsConf(text, 'u.conf'));

  it('round-trips byte for byte', () => {
    expect(writeLvsConf(parseLvsConf(text, 'u.conf'))).toBe(text);
  });

  it('keeps unknown variables in file order with shell quote removal', () => {
    expect([...vars.keys()]).toEqual(['VIP', 'VIP_IF', 'LVS_IF', 'TPORTS', 'UPORTS', 'RIPS', 'PING_COUNT', 'LOGFILE', 'MOTD', 'EMPTY', 'MIXED']);
    expect(vars.get('MOTD')!.value).toBe('Say "hi" to $USER; it\'s \\fine\\');
    expect(vars.get('MIXED')!.value).toBe('abc de f g');
    expect(vars.get('EMPTY')!.value).toBe('');
    expect(vars.get('TPORTS')!.items.map((i) => i.text)).toEqual(['telnet', 'ssh', '6000']);
    expect(vars.get('VIP')!.value).toBe('192.168.10.100');
  });

  it('marks exported variables (export NAME=… and export NAME lines)', () => {
    const exported = [...vars.values()].filter((v) => v.exported).map((v) => v.name);
    expect(exported).toEqual(['VIP', 'VIP_IF', 'PING_COUNT', 'LOGFILE']);
  });

  it('reports positions of values after tabs (columns count characters)', () => {
    const lvsIf = vars.get('LVS_IF')!;
    expect([lvsIf.line, lvsIf.col]).toEqual([7, 9]);
    const six = vars.get('TPORTS')!.items[2]!;
    expect([six.line, six.col]).toEqual([10, 3]);
  });
});

describe('parseLvsConf: accepted forms', () => {
  it.each([
    ['bare', 'VIP=10.0.0.1', '10.0.0.1'],
    ['single quoted', "VIP='10.0.0.1'", '10.0.0.1'],
    ['double quoted', 'VIP="10.0.0.1"', '10.0.0.1'],
    ['empty', 'VIP=', ''],
    ['empty quotes', 'VIP=""', ''],
    ['trailing comment', 'VIP=10.0.0.1 # the VIP', '10.0.0.1'],
    ['# inside a word is literal', 'VIP=a#b', 'a#b'],
    ['# right after a quote is literal', 'VIP="a"#b', 'a#b'],
    ['escaped space', 'VIP=a\\ b', 'a b'],
    ['backslash escapes a bare char', 'VIP=\\$x', '$x'],
    ['double-quote escapes', 'VIP="\\"\\\\\\$\\`"', '"\\$`'],
    ['other backslashes in double quotes stay', 'VIP="a\\b"', 'a\\b'],
    ['single quotes keep everything', "VIP='$(x) `y` \\z'", '$(x) `y` \\z'],
    ['concatenated quoting', `VIP=a'b c'"d e"f`, 'ab cd ef'],
    ['continuation inside a bare word', 'VIP=ab\\\ncd', 'abcd'],
    ['continuation inside double quotes', 'VIP="ab\\\ncd"', 'abcd'],
    ['newline inside single quotes is kept', "VIP='a\nb'", 'a\nb'],
    ['indentation', '  \tVIP=x', 'x'],
    ['export', 'export VIP=x', 'x'],
    ['export after a continuation', 'export \\\nVIP=x', 'x'],
    ['glob characters are literal in assignments', 'VIP=*?[a]{b,c}!', '*?[a]{b,c}!'],
  ])('%s: %s', (_what, text, value) => {
    const vars = confVariables(parseLvsConf(text, 'f'));
    expect(vars.get('VIP')!.value).toBe(value);
    expect(writeLvsConf(parseLvsConf(text, 'f'))).toBe(text);
  });

  it('splits list variables on spaces, tabs and newlines', () => {
    expect(json('RIPS=" a\tb\n c  "\nTPORTS=\nUPORTS=\'1 2\'')).toEqual({ RIPS: ['a', 'b', 'c'], TPORTS: [], UPORTS: ['1', '2'] });
  });

  it('lets the last assignment win but keeps first-assignment order', () => {
    expect(Object.entries(json('A=1\nB=2\nA=3\n'))).toEqual([
      ['A', '3'],
      ['B', '2'],
    ]);
  });

  it('accepts a `\\` at the end of a comment without continuing it (as sh does)', () => {
    expect(json('# note \\\nVIP=1\n')).toEqual({ VIP: '1' });
  });

  it('accepts export-only lines with several names and a comment', () => {
    const doc = parseLvsConf('A=1\nexport A B # both\n', 'f');
    expect(doc.statements[1]).toMatchObject({ kind: 'export', names: ['A', 'B'] });
    expect(confVariables(doc).get('A')!.exported).toBe(true);
  });

  it('handles empty text, a lone newline and a missing final newline', () => {
    for (const t of ['', '\n', '\n\n', 'A=1', 'A=1\n', '# c', '   ', 'A=1 \\\n']) expect(writeLvsConf(parseLvsConf(t, 'f'))).toBe(t);
    expect(parseLvsConf('', 'f').statements).toHaveLength(0);
  });

  it('counts a non-BMP character as one column', () => {
    const e = errorOf("# 😀\nA='😀' ;");
    expect(e.message).toBe("lvs.conf:2:7: ';' would run another command; lvs.conf may only assign variables");
  });
});

describe('parseLvsConf: everything the shell would execute or expand is an error at FILE:LINE:COL', () => {
  it.each([
    ['command substitution', 'VIP=$(hostname)', '1:5', "command substitution '$(…)' is not allowed in lvs.conf (the shell would run it)"],
    ['arithmetic', 'VIP=$((1+2))', '1:5', "command substitution '$(…)' is not allowed in lvs.conf (the shell would run it)"],
    ['command substitution in double quotes', 'VIP="a $(id)"', '1:8', "command substitution '$(…)' is not allowed in lvs.conf (the shell would run it)"],
    ['backticks', 'VIP=`hostname`', '1:5', 'command substitution `…` is not allowed in lvs.conf (the shell would run it)'],
    ['backticks in double quotes', 'VIP="`id`"', '1:6', 'command substitution `…` is not allowed in lvs.conf (the shell would run it)'],
    ['${…}', 'VIP=${HOST}', '1:5', "parameter expansion '${…}' is not allowed in lvs.conf; write the value itself"],
    ['$VAR', 'RIPS="$A $B"', '1:7', "variable expansion '$A' is not allowed in lvs.conf; write the value itself"],
    ['$1', 'VIP=$1', '1:5', "variable expansion '$1' is not allowed in lvs.conf; write the value itself"],
    ['a lone $', 'VIP="a$"', '1:7', "'$' starts an expansion; write it inside single quotes or as \\$ in double quotes"],
    [';', 'VIP=1; ipvsadm -C', '1:6', "';' would run another command; lvs.conf may only assign variables"],
    ['; after a blank', 'VIP=1 ;', '1:7', "';' would run another command; lvs.conf may only assign variables"],
    ['&&', 'VIP=1 && reboot', '1:7', "'&&' would run another command; lvs.conf may only assign variables"],
    ['||', 'VIP=1||reboot', '1:6', "'||' would run another command; lvs.conf may only assign variables"],
    ['|', 'VIP=1 | tee x', '1:7', "'|' would pipe into a command; lvs.conf may only assign variables"],
    ['>', 'VIP=1 > /etc/passwd', '1:7', "'>' is a redirection; redirections are not allowed in lvs.conf"],
    ['>>', 'VIP=1>>log', '1:6', "'>>' is a redirection; redirections are not allowed in lvs.conf"],
    ['<', 'VIP=1 < x', '1:7', "'<' is a redirection; redirections are not allowed in lvs.conf"],
    ['here-document', 'cat <<EOF', '1:1', "'cat' would run as a command; lvs.conf may only assign variables (NAME=value)"],
    ['<< after a value', 'VIP=1 <<EOF', '1:7', "'<<' (here-document) is a redirection; redirections are not allowed in lvs.conf"],
    ['&', 'VIP=1 &', '1:7', "'&' would run a command in the background; lvs.conf may only assign variables"],
    ['array / subshell', 'RIPS=(a b)', '1:6', "'(' would start a subshell, array or function; lvs.conf may only assign variables"],
    ['subshell line', '(VIP=1)', '1:1', "'(' would start a subshell, array or function; lvs.conf may only assign variables"],
    ['unterminated double quote', 'A=1\nRIPS="a\nb', '2:6', 'unterminated double quote'],
    ['unterminated single quote', "VIP='x", '1:5', 'unterminated single quote'],
    ['unterminated after an escaped quote', 'VIP="x\\"', '1:5', 'unterminated double quote'],
    ['bare command', 'ipvsadm -C', '1:1', "'ipvsadm' would run as a command; lvs.conf may only assign variables (NAME=value)"],
    ['indented command', '  /sbin/ifconfig eth0:110 down', '1:3', "'/sbin/ifconfig' would run as a command; lvs.conf may only assign variables (NAME=value)"],
    ['if', 'if true', '1:1', "'if' would run as a command; lvs.conf may only assign variables (NAME=value)"],
    ['a word after the value', 'VIP=1 2', '1:7', "'2' after the assignment would run as a command (quote the value if it contains spaces)"],
    ['an unquoted list', 'RIPS=a b', '1:8', "'b' after the assignment would run as a command (quote the value if it contains spaces)"],
    ['a space after =', 'VIP= 10.0.0.1', '1:6', "'10.0.0.1' after the assignment would run as a command (quote the value if it contains spaces)"],
    ['a space before =', 'VIP =10.0.0.1', '1:1', "'VIP' followed by a space would run as a command; write VIP=value with no spaces around '='"],
    ['two assignments', 'VIP=1 VIP_IF=eth0:1', '1:7', 'only one assignment per line is supported; put it on its own line'],
    ['export with an assignment among names', 'export A B=1', '1:10', 'only one assignment per line is supported; put it on its own line'],
    ['+=', 'RIPS+=" x"', '1:5', "'+=' is not POSIX sh (the seed's /bin/sh would run 'RIPS+=…' as a command); write RIPS=value"],
    ['bad name', '1VIP=x', '1:1', "'1VIP' is not a valid variable name (letters, digits and '_', not starting with a digit)"],
    ['= alone', '=x', '1:1', "'=' without a variable name before it"],
    ['export alone', 'export', '1:1', "'export' without a variable name would list the environment; name a variable"],
    ['export -p', 'export -p', '1:8', "export options such as '-p' are not allowed; write export NAME=value"],
    ['export of a bad name', 'export 1A', '1:8', "'1A' is not a valid variable name"],
    ['tilde', 'LOG=~/lvs.log', '1:5', "'~' would be expanded to a home directory (tilde expansion); quote it"],
    ['$ at line start', '$(reboot)', '1:1', "command substitution '$(…)' is not allowed in lvs.conf (the shell would run it)"],
    ['backslash at end of file', 'VIP=x\\', '1:6', 'backslash at the end of the file'],
    ['lone CR', 'VIP=1\rRIPS=2', '1:6', 'carriage return without a line feed (the shell would make it part of the value)'],
    ['NUL', 'VIP=1\u0000', '1:6', 'control character U+0000 is not allowed'],
    ['control character in a comment', '# bell \u0007', '1:8', 'control character U+0007 is not allowed'],
    ['BOM', '\ufeffVIP=1', '1:1', 'the file starts with a UTF-8 byte-order mark; the shell would read it as part of the first command (save without BOM)'],
    ['error on a continued line', 'RIPS="a \\\nb \\\n$(x)"', '3:1', "command substitution '$(…)' is not allowed in lvs.conf (the shell would run it)"],
    ['error on a CRLF file', 'A=1\r\nB=2\r\nC=3;\r\n', '3:4', "';' would run another command; lvs.conf may only assign variables"],
  ])('%s', (_what, text, at, message) => {
    const e = errorOf(text, 'etc/lvs.conf');
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe(`etc/lvs.conf:${at}: ${message}`);
    const [line, col] = at.split(':').map(Number);
    expect(e.detail).toEqual({ file: 'etc/lvs.conf', line, col });
  });

  it('reports the first problem in the file, not a later one', () => {
    expect(errorOf('A=1\nB=`x`\nC=$(y)\n').message).toMatch(/^lvs\.conf:2:3: /);
  });
});

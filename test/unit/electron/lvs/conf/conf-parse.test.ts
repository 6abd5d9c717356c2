import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { confJson, confVariables, parseLvsConf, type ConfAssignment } from '../../../../../electron/lvs/conf/conf-parse.ts';
import { importText } from '../../../../../electron/lvs/conf/conf-text.ts';
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

describe('parseLvsConf: CRLF input (a Windows editor)', () => {
  const text = fixture('crlf.conf');

  it('is really CRLF on disk', () => {
    expect(text.split('\r\n').length).toBeGreaterThan(10);
  });

  // dash and busybox read `VIP=10.0.0.100\r` as a value ending in CR and a blank CRLF line as a command named CR: the
  // console must not show these values without the CR (the differential test checks it against both shells).
  it('is refused at the first CR, saying why and what to do', () => {
    expect(errorOf(text, 'crlf.conf').message).toBe(
      "crlf.conf:1:65: CRLF line end (a Windows editor's): /bin/sh reads the CR as part of the line, so a value would end in CR and a blank line would run a command named CR; save the file with LF line ends (importing it converts them)",
    );
  });

  it('reads the values without carriage returns once the import converted it, and writes LF', () => {
    const { text: lf, warnings } = importText(text, 'crlf.conf');
    expect(warnings).toEqual([`crlf.conf: converted 12 CRLF line ends to LF (a Windows editor's; on the director /bin/sh would read each CR as part of its line)`]);
    expect(json(lf)).toEqual({
      VIP: '10.0.0.100',
      VIP_IF: 'eth0:110',
      LVS_IF: 'eth0',
      TPORTS: ['telnet', '22'],
      UPORTS: ['xdmcp'],
      RIPS: ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14'],
    });
    expect(writeLvsConf(parseLvsConf(lf, 'crlf.conf'))).toBe(text.replace(/\r\n/g, '\n'));
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
    ['a continuation at the start of a line', '\\\nVIP=x', 'x'],
    ['a continuation after the value and a blank', 'VIP=x \\\n# c', 'x'],
    ['quoted globs after export', 'export VIP="*?[a]{b,c}"', '*?[a]{b,c}'],
    ['escaped glob after export', 'export VIP=\\*', '*'],
    ['glob characters are literal in assignments', 'VIP=*?[a]{b,c}!', '*?[a]{b,c}!'],
  ])('%s: %s', (_what, text, value) => {
    const vars = confVariables(parseLvsConf(text, 'f'));
    expect(vars.get('VIP')!.value).toBe(value);
    expect(writeLvsConf(parseLvsConf(text, 'f'))).toBe(text);
  });

  it('splits list variables on spaces, tabs and newlines', () => {
    expect(json('RIPS=" a\tb\n c  "\nTPORTS=\nUPORTS=\'1 2\'')).toEqual({ RIPS: ['a', 'b', 'c'], TPORTS: [], UPORTS: ['1', '2'] });
  });

  it('keeps names that are Object.prototype keys as plain keys (__proto__, constructor)', () => {
    const out = json('__proto__=a\nconstructor=b\ntoString=c\n');
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(JSON.stringify(out)).toBe('{"__proto__":"a","constructor":"b","toString":"c"}');
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
    [
      'a CRLF file, at its first CR',
      'A=1\r\nB=2\r\nC=3;\r\n',
      '1:4',
      "CRLF line end (a Windows editor's): /bin/sh reads the CR as part of the line, so a value would end in CR and a blank line would run a command named CR; save the file with LF line ends (importing it converts them)",
    ],
    ['a CR in a comment', '# c\r\nA=1\n', '1:4', "CRLF line end (a Windows editor's): /bin/sh reads the CR as part of the line, so a value would end in CR and a blank line would run a command named CR; save the file with LF line ends (importing it converts them)"],
    ['a CR in single quotes', "A='x\r'", '1:5', 'carriage return without a line feed (the shell would make it part of the value)'],
    ['a C1 control character', 'A=x\u0085', '1:4', 'control character U+0085 is not allowed'],
    ['U+FFFD (bytes that were not UTF-8)', 'A=a\ufffdb', '1:4', 'U+FFFD (the replacement character): the file is probably not UTF-8, and /bin/sh would read its original bytes; save it as UTF-8'],
    ['an unpaired surrogate', 'A=a\ud800', '1:4', 'an unpaired UTF-16 surrogate is not text'],
    ['a continuation inside export', 'ex\\\nport VIP=1', '1:3', "a line continuation ('\\' at the end of a line) right after 'ex' joins it with the next line: the shell reads 'export'; put a blank before the backslash or write it on one line"],
    ['a continuation right after export', 'export\\\nVIP=1', '1:7', "a line continuation ('\\' at the end of a line) right after 'export' joins it with the next line: the shell reads 'exportVIP=1'; put a blank before the backslash or write it on one line"],
    ['a continuation between export names', 'export A\\\nB', '1:9', "a line continuation ('\\' at the end of a line) right after 'A' joins it with the next line: the shell reads 'AB'; put a blank before the backslash or write it on one line"],
    ['a continuation message never echoes control characters', 'export\\\n\u001b[2JX=1', '1:7', "a line continuation ('\\' at the end of a line) right after 'export' joins it with the next line: the shell reads 'export'; put a blank before the backslash or write it on one line"],
    ['a continuation inside a name', 'V\\\nIP=1', '1:2', "a line continuation ('\\' at the end of a line) right after 'V' joins it with the next line: the shell reads 'VIP=1'; put a blank before the backslash or write it on one line"],
    ['a continuation before =', 'VIP\\\n=1', '1:4', "a line continuation ('\\' at the end of a line) right after 'VIP' joins it with the next line: the shell reads 'VIP=1'; put a blank before the backslash or write it on one line"],
    ['PATH', 'PATH=/tmp/evil', '1:1', "'PATH' cannot be set in lvs.conf: it changes where the director's root script finds the programs and directories it runs"],
    ['IFS', 'export IFS=:', '1:8', "'IFS' cannot be set in lvs.conf: it changes how the director's script splits TPORTS, UPORTS, RIPS and every other word"],
    ['PS4', "PS4='$(reboot)'", '1:1', "'PS4' cannot be set in lvs.conf: /bin/sh itself reads it (start-up files, prompts expanded with commands in them, shell options)"],
    ['BASH_ENV (a prefix)', 'BASH_ENV=/tmp/x', '1:1', "'BASH_ENV' cannot be set in lvs.conf: /bin/sh itself reads it (start-up files, prompts expanded with commands in them, shell options)"],
    ['LD_PRELOAD (a prefix)', 'export LD_PRELOAD=/tmp/x.so', '1:8', "'LD_PRELOAD' cannot be set in lvs.conf: the dynamic loader, the C library or the commands the script runs read it (loader, locale, time zone, resolver, grep, awk)"],
    ['an exported reserved name', 'export A RANDOM', '1:10', "'RANDOM' cannot be exported in lvs.conf: the shell manages it (computed when read, read-only, or it changes the shell’s own state)"],
    ['OPTIND', 'OPTIND=x', '1:1', "'OPTIND' cannot be set in lvs.conf: the shell manages it (computed when read, read-only, or it changes the shell’s own state)"],
    ['braces after export', 'export X=a{b,c}', '1:11', "'{' unquoted in 'export X=…': the value is a command argument there, which some shells expand (bash: {a,b}; older shells: * ? [ against file names); quote the value or assign it first and export the name"],
    ['a glob after export', 'export X=*', '1:10', "'*' unquoted in 'export X=…': the value is a command argument there, which some shells expand (bash: {a,b}; older shells: * ? [ against file names); quote the value or assign it first and export the name"],
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

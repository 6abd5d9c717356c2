/**
 * The hand-written part of the differential corpus: the fixtures as saved, the seed's Listing-2 layout, files as Windows
 * editors save them, and the constructs that once made the parser and /bin/sh disagree, each named.
 */
import { readdirSync, readFileSync } from 'node:fs';

const FIXTURES = new URL('../../../../fixtures/lvs-conf/', import.meta.url);

/** A named file of the corpus. */
export interface CorpusFile {
  name: string;
  bytes: Buffer;
}

const b = (s: string) => Buffer.from(s, 'utf8');

/** Every fixture file as bytes, plus its CRLF and LF variants. */
function fixtures(): CorpusFile[] {
  const out: CorpusFile[] = [];
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.conf')).sort()) {
    const bytes = readFileSync(new URL(f, FIXTURES));
    const text = bytes.toString('utf8');
    out.push({ name: f, bytes });
    out.push({ name: `${f} (CRLF)`, bytes: b(text.replace(/\r?\n/g, '\r\n')) });
    out.push({ name: `${f} (LF)`, bytes: b(text.replace(/\r\n/g, '\n')) });
  }
  return out;
}

const SEED_LISTING_2 = `# /etc/lvs.conf
VIP=epsg9008
VIP_IF=eth0:110
LVS_IF="eth0"
TPORTS="telnet"
UPORTS="xdmcp"
RIPS="epsg9010 \\
epsg9011 \\
epsg9012 \\
"
`;

const CASES: [string, string | Buffer][] = [
  ['seed Listing 2 layout', SEED_LISTING_2],
  ['seed Listing 2, Windows editor (CRLF)', SEED_LISTING_2.replace(/\n/g, '\r\n')],
  ['Windows editor with BOM and CRLF', '\ufeff' + SEED_LISTING_2.replace(/\n/g, '\r\n')],
  ['Windows: blank CRLF line', 'VIP=1.2.3.4\r\n\r\nVIP_IF=eth0:1\r\n'],
  ['Windows: CRLF after a continuation', 'RIPS="a \\\r\nb"\r\n'],
  ['Windows: CR inside single quotes', "X='a\r\nb'\n"],
  ['old Mac: CR only', 'VIP=1.2.3.4\rRIPS=a\r'],
  ['continuation inside export', 'ex\\\nport VIP=1\n'],
  ['continuation right after export', 'export\\\nVIP=1\n'],
  ['continuation after export and a blank', 'export \\\nVIP=1\n'],
  ['continuation between export names', 'export A\\\nB\n'],
  ['continuation inside a name', 'V\\\nIP=1\n'],
  ['continuation before =', 'VIP\\\n=1\n'],
  ['continuation inside a bare value', 'VIP=10.0\\\n.0.1\n'],
  ['continuation after a value and a blank', 'VIP=1 \\\n# c\n'],
  ['continuation glues two assignments', 'A=1 \\\nB=2\n'],
  ['continuation at the start', '\\\nVIP=1\n'],
  ['backslash at the end of a comment', '# c \\\nVIP=1\n'],
  ['__proto__', '__proto__=x\n'],
  ['constructor and toString', 'constructor=a\ntoString=b\nhasOwnProperty=c\n'],
  ['PATH', 'PATH=/tmp/evil\nVIP=1\n'],
  ['IFS', 'IFS=:\nTPORTS="23:80"\n'],
  ['exported LD_PRELOAD', 'export LD_PRELOAD=/tmp/x.so\n'],
  ['PS4 with a command in single quotes', "PS4='$(lvscanary)'\n"],
  ['ENV and BASH_ENV', 'ENV=/tmp/x\nBASH_ENV=/tmp/y\n'],
  ['LINENO', 'LINENO=5\n'],
  ['OPTIND', 'OPTIND=x\n'],
  ['HOME and CDPATH', 'HOME=/\nCDPATH=/tmp\n'],
  ['not UTF-8 in a value', Buffer.concat([b('VIP=a'), Buffer.from([0xff, 0xfe]), b('b\n')])],
  ['Latin-1 é in a comment', Buffer.concat([b('# caf'), Buffer.from([0xe9]), b('\nVIP=1\n')])],
  ['UTF-8 é, 中 and an emoji', 'A=é\nB="中"\nC=\'😀\'\nD=\\é\nE=\\😀\n'],
  ['no-break space in a value', 'X=a\u00a0b\n'],
  ['UTF-8 bytes 0x81–0x88 (dash uses them internally)', 'A=āłąćĈ…\nB="āł"\nC=\'ąć\'\nD=\\Ĉ\nexport E=…\n'],
  ['U+FFFD written as such', 'X=\ufffd\n'],
  ['NUL', 'X=a\u0000b\n'],
  ['# in words and comments', 'A=#a\nB= #b\nC=a#b\nD="a"#b\nE=a\\#b\n'],
  ['globs and braces in plain assignments', 'A=*\nB=a?\nC=[ab]\nD={a,b}\nE=!x\n'],
  ['globs and braces after export', 'export A=*\nexport D={a,b}\n'],
  ['quoted globs after export', 'export A="*"\nexport D=\'{a,b}\'\n'],
  ['tilde', 'A=~\nB=a:~/x\nC="~"\nD=\\~\n'],
  ['escapes', 'A=\\a\\ b\nB="\\a\\$\\`\\"\\\\"\nC=\'\\\'\nD=\\\\\n'],
  ['newlines in quotes', "A='a\nb'\nB=\"c\nd\"\n"],
  ['tabs', '\tA=1\t# c\nB="a\tb"\n'],
  ['empty values', 'A=\nB=""\nC=\'\'\n'],
  ['export then assign', 'export A\nA=1\nexport B C\n'],
  ['last assignment wins', 'A=1\nA=2\nexport A=3\n'],
  ['$ inside single quotes', "A='$X $(y) `z`'\n"],
  ['an unterminated quote', 'A="x\n'],
  ['a backslash at the end of the file', 'A=x\\'],
  ['a command', 'A=1\nlvscanary\n'],
  ['a here-document', ': <<EOF\nA=1\nEOF\n'],
  ['a function', 'f() { A=1; }\n'],
  ['a readonly assignment', 'readonly A=1\n'],
  ['an assignment prefix', 'A=1 B=2\n'],
];

/** The whole hand-written corpus. */
export function corpus(): CorpusFile[] {
  return [...fixtures(), ...CASES.map(([name, t]) => ({ name, bytes: typeof t === 'string' ? b(t) : t }))];
}

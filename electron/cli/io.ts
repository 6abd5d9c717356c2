/** What a CLI command may touch: its streams. Injected so commands run in-process in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Reads all of standard input (empty string if none / a TTY). */
  readStdin(): Promise<string>;
  /** Asks a yes/no question on the terminal; false when not interactive. */
  confirm?(question: string): Promise<boolean>;
}

/** A CLI command: takes its own arguments (after the verb), returns the exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

/** Exit codes: 0 ok, 1 the thing checked is bad (invalid file, drift), 2 usage error, 3 remote/runtime failure. */
export const EXIT = { OK: 0, INVALID: 1, USAGE: 2, FAILED: 3 } as const;

/** Process-backed CliIo. */
export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    readStdin: async () => {
      if (process.stdin.isTTY) return '';
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

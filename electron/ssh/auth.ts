/**
 * Builds the ssh2 authHandler for one host from its Auth setting: password, keyboard-interactive (answers the password
 * prompt), a private key file, or the agent (then any IdentityFile from ~/.ssh/config). Secrets are fetched and keys
 * loaded before connecting (nothing is sent then); ssh2 only calls the handler after the host key was verified.
 * Records the methods tried so an AUTH_FAILED message can name them — never a secret.
 */
import type { AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, KeyboardInteractiveCallback, ParsedKey, Prompt } from 'ssh2';
import type { Auth } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';
import { loadPrivateKey } from './private-key.ts';
import type { SecretSource, SessionEvent } from './types.ts';

/** What prepareAuth needs. */
export interface AuthInputs {
  label: string;
  user: string;
  auth: Auth;
  secrets: SecretSource;
  /** ssh2 agent string (resolveAgent), for method 'agent'. */
  agent?: string;
  /** IdentityFile paths from ~/.ssh/config, tried after the agent for method 'agent'. */
  identityFiles?: readonly string[];
  onEvent?: (e: SessionEvent) => void;
}

/** The handler to give ssh2 and what it did. */
export interface PreparedAuth {
  handler: AuthHandlerMiddleware;
  /** Methods offered so far, e.g. ["password"], ["agent", "publickey (~/.ssh/id_rsa)"]. */
  readonly tried: string[];
  /** What the server said it accepts (after the first failure). */
  readonly serverMethods: () => string[] | undefined;
  /** Notes about identities that could not be used (encrypted without passphrase…). */
  readonly notes: string[];
}

type Attempt = { name: string; method: AnyAuthMethod };

async function secret(inputs: AuthInputs, ref: string, what: string): Promise<string> {
  const v = await inputs.secrets.get(ref);
  if (v === undefined || v === '') throw new AppError('AUTH_FAILED', `${inputs.label}: no ${what} stored (secret "${ref}")`, { host: inputs.label, step: 'auth' });
  return v;
}

/** Answers keyboard-interactive prompts: the password for hidden prompts, empty for visible ones; at most 3 rounds. */
function kbdInteractive(password: string): (n: string, i: string, l: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) => void {
  let rounds = 0;
  return (_name, _instructions, _lang, prompts, finish) => {
    rounds += 1;
    if (rounds > 3) return finish(prompts.map(() => ''));
    finish(prompts.map((p) => (p.echo ? '' : password)));
  };
}

/** Fetches secrets, loads keys and returns the authHandler. Throws AUTH_FAILED / UNSUPPORTED / NOT_FOUND early. */
export async function prepareAuth(inputs: AuthInputs): Promise<PreparedAuth> {
  const username = inputs.user;
  const attempts: Attempt[] = [];
  const notes: string[] = [];
  const a = inputs.auth;
  switch (a.method) {
    case 'password':
      attempts.push({ name: 'password', method: { type: 'password', username, password: await secret(inputs, a.secretRef, 'password') } });
      break;
    case 'keyboard-interactive': {
      const pw = await secret(inputs, a.secretRef, 'password');
      attempts.push({ name: 'keyboard-interactive', method: { type: 'keyboard-interactive', username, prompt: kbdInteractive(pw) } });
      break;
    }
    case 'key': {
      const passphrase = a.passphraseRef ? await secret(inputs, a.passphraseRef, 'key passphrase') : undefined;
      const key: ParsedKey = loadPrivateKey(a.keyPath, passphrase);
      attempts.push({ name: `publickey (${a.keyPath})`, method: { type: 'publickey', username, key } });
      break;
    }
    case 'agent': {
      if (inputs.agent) attempts.push({ name: 'agent', method: { type: 'agent', username, agent: inputs.agent } });
      for (const path of inputs.identityFiles ?? []) {
        try {
          attempts.push({ name: `publickey (${path})`, method: { type: 'publickey', username, key: loadPrivateKey(path) } });
        } catch (e) {
          notes.push(`${path}: ${e instanceof AppError ? e.message.replace(`${path}: `, '') : String(e)}`);
        }
      }
      if (attempts.length === 0) {
        const why = notes.length ? `; identity files unusable: ${notes.join('; ')}` : '';
        throw new AppError('AUTH_FAILED', `${inputs.label}: no SSH agent available (SSH_AUTH_SOCK is not set; on Windows choose Pageant or the OpenSSH agent)${why}`, { host: inputs.label, step: 'auth' });
      }
      break;
    }
  }
  const tried: string[] = [];
  let serverMethods: string[] | undefined;
  let next = 0;
  const handler: AuthHandlerMiddleware = (methodsLeft, _partial, cb) => {
    if (methodsLeft) serverMethods = [...methodsLeft];
    while (next < attempts.length) {
      const at = attempts[next++]!;
      // An agent attempt is publickey on the wire.
      const wire: AuthenticationType = at.method.type === 'agent' ? 'publickey' : at.method.type;
      if (methodsLeft && !methodsLeft.includes(wire)) continue;
      tried.push(at.name);
      inputs.onEvent?.({ type: 'auth', label: inputs.label, method: at.name });
      return cb(at.method);
    }
    // ssh2 accepts false for "no more methods"; its typings omit it.
    return (cb as unknown as (v: false) => void)(false);
  };
  return { handler, tried, serverMethods: () => serverMethods, notes };
}

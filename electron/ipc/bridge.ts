/**
 * The preload's API object (window.lvs): call(method, input) and on(event, listener) → unsubscribe, for the contract's
 * names only. The Electron IpcRendererEvent never reaches the page (it carries `sender`, i.e. ipcRenderer itself).
 */
import { EVENT_NAMES, METHOD_NAMES, type ApiClient, type EventName, type MethodName } from '../../shared/api/contract.ts';
import { eventChannel, INVOKE_CHANNEL } from './channels.ts';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** Builds the object the preload exposes as window.lvs. */
export function createBridge(ipc: IpcRendererLike): ApiClient {
  const methodSet: ReadonlySet<string> = new Set<string>(METHOD_NAMES);
  const eventSet: ReadonlySet<string> = new Set<string>(EVENT_NAMES);
  const client: ApiClient = {
    call(method: MethodName, input: unknown) {
      if (typeof method !== 'string' || !methodSet.has(method)) {
        return Promise.resolve({ ok: false as const, error: { code: 'INVALID_INPUT' as const, message: `unknown method ${String(method).slice(0, 64)}` } });
      }
      return ipc.invoke(INVOKE_CHANNEL, method, input) as ReturnType<ApiClient['call']>;
    },
    on(event: EventName, listener: (payload: never) => void) {
      if (typeof event !== 'string' || !eventSet.has(event)) throw new Error(`unknown event ${String(event).slice(0, 64)}`);
      if (typeof listener !== 'function') throw new Error('listener must be a function');
      const channel = eventChannel(event);
      const wrapped = (_event: unknown, payload: unknown) => listener(payload as never);
      ipc.on(channel, wrapped);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(channel, wrapped);
      };
    },
  } as ApiClient;
  return client;
}

/** Test doubles for Electron's ipcMain / ipcRenderer: just the methods the adapter and the bridge call. */
import type { InvokeEvent, IpcMainLike } from '../../../../electron/ipc/adapter.ts';
import type { IpcRendererLike } from '../../../../electron/ipc/bridge.ts';

/** A fake ipcMain that records handlers and lets a test invoke them as a given frame. */
export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Calls the handler on `channel` as if `frameUrl` had invoked it (null = the frame is gone). */
  invoke(channel: string, frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return h({ senderFrame: frameUrl === null ? null : { url: frameUrl, parent: null } }, ...args);
  }
}

/** A fake ipcRenderer: records invokes, lets a test push events. */
export class FakeIpcRenderer implements IpcRendererLike {
  readonly invoked: unknown[][] = [];
  readonly listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  reply: unknown = { ok: true, value: [] };
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, ...args]);
    return Promise.resolve(this.reply);
  }
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return this;
  }
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  /** Delivers a message as main's webContents.send would; the first argument is Electron's event object. */
  emit(channel: string, ...args: unknown[]): void {
    const ipcEvent = { sender: { secret: 'ipcRenderer itself' } };
    for (const l of this.listeners.get(channel) ?? []) l(ipcEvent, ...args);
  }
}

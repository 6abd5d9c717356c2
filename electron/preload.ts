/**
 * Preload (sandboxed, CommonJS bundle): exposes window.lvs = { call, on } for the contract's method and event names only.
 * All logic is in ipc/bridge.ts; this file only hands Electron's ipcRenderer to it.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './ipc/bridge.ts';

const bridge = createBridge(ipcRenderer);

contextBridge.exposeInMainWorld('lvs', {
  call: (method: string, input: unknown) => bridge.call(method as never, input as never),
  on: (event: string, listener: (payload: unknown) => void) => bridge.on(event as never, listener as never),
});

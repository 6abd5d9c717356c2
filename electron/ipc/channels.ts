/**
 * IPC channel names shared by the preload and main. One invoke channel carries (method, input); each event has its own
 * channel so the preload can remove exactly one listener. No imports: the preload bundles this as-is.
 */

/** The invoke channel: ipcRenderer.invoke(INVOKE_CHANNEL, method, input). */
export const INVOKE_CHANNEL = 'lvs:invoke';

/** The channel an event is pushed on (webContents.send). */
export function eventChannel(event: string): string {
  return `lvs:event:${event}`;
}

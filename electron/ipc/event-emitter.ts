/**
 * Pushes contract events to the app's windows: the payload is parsed with the event's schema first (a bad payload is a
 * bug in main and throws there, it never reaches the page), then sent on eventChannel(name).
 */
import { events, type EventName, type EventPayload } from '../../shared/api/contract.ts';
import { eventChannel } from './channels.ts';

/** The part of Electron's WebContents used to push events. */
export interface EventTarget {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** Sends one typed event. */
export type EmitEvent = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Creates the typed push helper. `targets` is asked on every emit (windows come and go). */
export function createEventEmitter(targets: () => Iterable<EventTarget>): EmitEvent {
  return (event, payload) => {
    const schema = events[event];
    const data = schema.parse(payload);
    for (const t of targets()) if (!t.isDestroyed()) t.send(eventChannel(event), data);
  };
}

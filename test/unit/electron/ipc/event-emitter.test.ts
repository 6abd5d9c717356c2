import { describe, expect, it } from 'vitest';
import { eventChannel } from '../../../../electron/ipc/channels.ts';
import { createEventEmitter } from '../../../../electron/ipc/event-emitter.ts';

function target(destroyed = false) {
  const sent: unknown[][] = [];
  return { sent, send: (...a: unknown[]) => void sent.push(a), isDestroyed: () => destroyed };
}

describe('createEventEmitter', () => {
  it('parses the payload and sends it on the event channel to live windows only', () => {
    const live = target();
    const dead = target(true);
    const emit = createEventEmitter(() => [live, dead]);
    emit('app.log', { time: 5, level: 'warn', message: 'x' });
    expect(live.sent).toEqual([[eventChannel('app.log'), { time: 5, level: 'warn', message: 'x' }]]);
    expect(dead.sent).toEqual([]);
  });

  it('throws in main for a payload that breaks the contract, sending nothing', () => {
    const live = target();
    const emit = createEventEmitter(() => [live]);
    expect(() => emit('app.log', { time: 5, level: 'loud', message: 'x' } as never)).toThrow();
    expect(live.sent).toEqual([]);
  });
});

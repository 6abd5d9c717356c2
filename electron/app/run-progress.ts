/**
 * The steps one director run reports as `director.progress` events. The renderer folds a step's events by index
 * (running → ok) and shows "[index+1/total]", so the index names a step, not an event: entering a step closes the
 * one before it as ok; the end closes the current step as ok, failed or rolled back.
 */
import type { EventPayload } from '../../shared/api/contract.ts';

/** The steps of a verb run, in order: observe the director, upload the batch, the transaction, the re-read. */
export const RUN_STEPS = ['observe', 'upload', 'transaction', 'verify'] as const;
/** One of RUN_STEPS. */
export type RunStep = (typeof RUN_STEPS)[number];

type Progress = EventPayload<'director.progress'>;

/** Emits one run's progress, step by step. */
export class RunProgress {
  private current = -1;
  private lastCommand = '';

  constructor(
    private readonly base: Pick<Progress, 'clusterId' | 'runId' | 'host'>,
    private readonly emit: (p: Progress) => void,
  ) {}

  /** Enters a step (or reports again in the current one, e.g. a reconnect during the transaction); `command` says what it does. */
  step(name: RunStep, command: string): void {
    const i = RUN_STEPS.indexOf(name);
    if (i > this.current && this.current >= 0) this.send(this.current, 'ok', this.lastCommand);
    if (i >= this.current) this.current = i;
    this.lastCommand = command;
    this.send(this.current, 'running', command);
  }

  /** The run succeeded: the current step is ok, with `command` as its final line. */
  finish(command: string): void {
    this.send(Math.max(this.current, 0), 'ok', command);
  }

  /** The run failed (or was rolled back) in the current step. */
  fail(status: 'failed' | 'rolled-back', message: string): void {
    this.send(Math.max(this.current, 0), status, message);
  }

  private send(index: number, status: Progress['status'], command: string): void {
    this.emit({ ...this.base, index, total: RUN_STEPS.length, command, status });
  }
}

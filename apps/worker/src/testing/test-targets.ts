// Real Target implementations for the worker's tests (not mocks of our services): each behaves
// like a provisioner would, failing, blocking or taking time, and records what happened.
import type { ConditionType, CustomerSnapshot } from '@hostplane/domain';
import type { Target, TargetOutcome } from '@hostplane/reconcile';

/** Throws on its first `failures` passes, then reports Ready. */
export class FlakyTarget implements Target {
  runs = 0;
  constructor(
    readonly name: ConditionType,
    private readonly failures: number,
  ) {}

  async run(): Promise<TargetOutcome> {
    this.runs++;
    if (this.runs <= this.failures)
      throw new Error(`upstream unavailable (failure ${this.runs} of ${this.failures})`);
    return { status: 'True', reason: 'Ready', message: `ready after ${this.runs} passes`, changes: 1 };
  }
}

export interface PassInterval {
  customerId: number;
  generation: number;
  worker: string;
  start: number;
  end: number;
}

/** Takes `ms` per pass and records when it ran; asks `requeue` for its first `requeues` passes of a customer. */
export class TimedTarget implements Target {
  constructor(
    readonly name: ConditionType,
    private readonly worker: string,
    private readonly ms: number,
    readonly intervals: PassInterval[],
    private readonly requeues = 0,
  ) {}

  async run(snapshot: CustomerSnapshot, ctx: { signal: AbortSignal }): Promise<TargetOutcome> {
    const start = performance.now();
    await new Promise<void>((resolve) => {
      // Like fetch with a signal: an aborted signal ends the work at once, before or during it.
      if (ctx.signal.aborted) return resolve();
      const timer = setTimeout(resolve, this.ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.intervals.push({
      customerId: snapshot.id,
      generation: snapshot.generation,
      worker: this.worker,
      start,
      end: performance.now(),
    });
    const done = this.intervals.filter((i) => i.customerId === snapshot.id).length;
    return {
      status: 'True',
      reason: 'Ready',
      message: `pass ${done}`,
      changes: 0,
      requeue: done <= this.requeues,
    };
  }
}

/** While deleting: asks for another pass `passesBeforeGone` times, then reports Deleted. */
export class SlowDeleteTarget implements Target {
  private passes = 0;
  constructor(
    readonly name: ConditionType,
    private readonly passesBeforeGone: number,
  ) {}

  async run(snapshot: CustomerSnapshot): Promise<TargetOutcome> {
    if (!snapshot.deleting) return { status: 'True', reason: 'Ready', message: 'present', changes: 0 };
    this.passes++;
    if (this.passes <= this.passesBeforeGone) {
      return {
        status: 'False',
        reason: 'Deleting',
        message: 'objects still terminating',
        changes: 1,
        requeue: true,
      };
    }
    return { status: 'True', reason: 'Deleted', message: 'nothing left', changes: 0 };
  }
}

/** Records the kind of each pass it runs in (`change` for a mutation, `full` for a resync or retry). */
export class PassKindTarget implements Target {
  readonly passes: { customerId: number; pass: string }[] = [];
  constructor(readonly name: ConditionType) {}

  async run(snapshot: CustomerSnapshot, ctx: { pass?: 'change' | 'full' }): Promise<TargetOutcome> {
    this.passes.push({ customerId: snapshot.id, pass: ctx.pass ?? 'full' });
    return { status: 'True', reason: 'Ready', message: 'recorded', changes: 0 };
  }
}

import type { CheckpointedWindows } from './checkpointed-windows.js';
import type { Journal } from './journal.js';

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** What the checkpoints of the ingest pipeline (pipeline.ts) look at in it. */
export interface CheckpointHost {
  /** The window summaries in memory, which a checkpoint writes. */
  readonly windows: CheckpointedWindows;
  /** Runs the pipeline's loop, which starts a due checkpoint between groups. */
  kick(): void;
  /** Set when memory and store could diverge (fail-stop): then nothing is checkpointed. */
  broken(): Error | null;
  /** Committed groups whose deltas are not merged into memory yet. */
  pendingApplies(): number;
  /** The journal and the state key of the position its checkpoints cover; null without a journal. */
  log(): { journal: Journal; summarisedKey: string } | null;
  /** The last journal seq used. */
  seq(): number;
  closed(): boolean;
}

/**
 * When the ingest pipeline checkpoints its dirty windows, and who waits for it: due for readers waiting in sync(), when
 * many windows are dirty, or every `checkpointMs` (by the pipeline's loop, or by a timer when it is idle); one at a time,
 * its store transaction beside the next groups' commits.
 */
export class CheckpointSchedule {
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The checkpoint whose store transaction is running (at most one; see start), until it ended. */
  running: Promise<boolean> | null = null;

  constructor(private readonly host: CheckpointHost, private readonly checkpointMs: number) {}

  /** Resolves after the next checkpoint that starts from now on has written the windows (rejects if it failed). */
  wait(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.host.kick();
    });
  }

  /** Readers wait and no checkpoint runs: the loop must run to start one. */
  get readersUnserved(): boolean {
    return this.waiters.length > 0 && this.running === null;
  }

  due(): boolean {
    const { windows } = this.host;
    if (this.running !== null) return false; // one at a time: its end kicks the loop if readers wait
    if (this.waiters.length > 0) return true;
    if (this.host.broken()) return false;
    if (windows.dirtyCount === 0 && this.host.pendingApplies() === 0) return false;
    return this.host.log() === null || windows.crowded || performance.now() - windows.lastCheckpointAt >= this.checkpointMs;
  }

  /**
   * When idle with dirty windows, a checkpoint once checkpointMs have passed since the last one. The timer stays armed
   * while groups keep coming (the drain loop goes idle between requests), so when it fires it first looks whether the
   * loop has checkpointed meanwhile, and waits out the rest of the interval if so: firing regardless added a second
   * checkpoint right after most of the loop's (bench:ingest at 10,000 events/s: pairs ~0.1-0.3 s apart, each writing
   * the same 25 windows, ~1.9 MB). While a checkpoint runs it does nothing: that checkpoint's end arms it again.
   */
  schedule(): void {
    const { windows } = this.host;
    if (this.timer || this.host.closed() || windows.dirtyCount === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (windows.dirtyCount === 0 || this.running !== null) return;
      if (performance.now() - windows.lastCheckpointAt < this.checkpointMs) this.schedule();
      else this.host.kick(); // the loop finds the checkpoint due
    }, Math.max(0, windows.lastCheckpointAt + this.checkpointMs - performance.now()));
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A whole checkpoint (start, then its end): recovery, and the path without a journal. */
  async whole(): Promise<boolean> {
    return await (await this.start()).done;
  }

  /**
   * Starts a checkpoint (CheckpointedWindows.checkpoint: serialised by the pipeline, between groups, with every
   * committed group merged; its store transaction then runs beside the next groups' commits) for the readers waiting
   * now; readers that call sync() meanwhile wait for the next one. Resolves with its end (`done`, true: written, never
   * rejects; in an object, since a promise resolved with a promise would wait for it).
   */
  async start(): Promise<{ done: Promise<boolean> }> {
    await this.running; // one at a time (the loop starts one only when none runs: this is for recovery)
    const waiters = this.waiters.splice(0);
    if (this.host.broken()) {
      // Readers get what the store has; the journal keeps everything for the restart.
      for (const w of waiters) w.resolve();
      return { done: Promise.resolve(false) };
    }
    const { done } = await this.host.windows.checkpoint(this.host.seq(), this.host.log());
    const ended = done.then((r) => {
      for (const w of waiters) if (r.written) w.resolve(); else w.reject(r.error);
      return r.written;
    }).finally(() => {
      this.running = null;
      if (this.host.closed()) return;
      if (this.waiters.length > 0) this.host.kick();
      else this.schedule();
    });
    this.running = ended;
    return { done: ended };
  }
}

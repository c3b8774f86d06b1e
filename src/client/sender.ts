import { abortableSleep } from './backoff.js';
import { BodyLimit, takeBatch, type QueuedRow } from './batch.js';
import { rows } from './describe.js';
import { ClosedDrops, QueueBytes } from './queue-bytes.js';
import { RetryBudget, type RetryConfig } from './retry.js';
import { Ring } from './ring.js';
import { answerWarnings, describeError, postBatch, rejectedRows, type TransportConfig } from './transport.js';
import { LookoutClientError, type EndpointStats, type LookoutClientWarning } from './types.js';

/** Longest a queue-full drop waits to be reported to onError. */
const DROP_REPORT_MS = 1000;

export interface SenderConfig extends TransportConfig, RetryConfig {
  endpoint: 'events' | 'labels';
  maxBatch: number;
  maxBatchChars: number;
  flushIntervalMs: number;
  maxQueue: number;
  /** Most UTF-8 bytes of JSON of the queued rows (QueueBytes). */
  maxQueueBytes: number;
  onError: (err: LookoutClientError) => void;
  /** Told once about each distinct warning of the server's answers (ClientOptions.onWarning). */
  onWarning: (w: LookoutClientWarning) => void;
  /** May this row (the head of the queue) be sent now? Labels wait for the events queued before them. */
  ready?: (row: QueuedRow) => boolean;
  /** Called whenever rows settled (sent, rejected, failed or dropped). */
  onSettle?: () => void;
}

/**
 * The queue and the sending loop of one endpoint: rows are queued in order, at most one request is in
 * flight, and a batch is retried (same rows, same ids) until the server answers or the retries run out.
 */
export class Sender {
  private readonly queue: Ring<QueuedRow>;
  private nextSeq = 0;
  /** Sequence numbers of the rows being sent. */
  private inflight: number[] | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  /** Reports queue-full drops while a batch is in flight (which can last minutes against a hanging server). */
  private dropTimer: NodeJS.Timeout | null = null;
  private kickPending = false;
  private closed = false;
  private waiters: Array<{ target: number; resolve: () => void }> = [];
  private unreportedDrops = 0;
  /** Rows logged after close() not yet reported (ClosedDrops: one report per interval, not one per row). */
  private readonly closedDrops: ClosedDrops;
  private readonly bytes: QueueBytes;
  private readonly counts = { sent: 0, rejected: 0, dropped: 0, failed: 0, retries: 0 };
  /** The warnings told to onWarning (code, model, keys): each once. */
  private readonly warned = new Set<string>();
  /** Aborted by abandon(): the request in flight and any retry wait end at once. */
  private readonly abandoned = new AbortController();
  /** What the 413s of a proxy taught: kept for the client's life (audit 25). */
  private readonly bodyLimit = new BodyLimit();

  constructor(private readonly cfg: SenderConfig) {
    this.queue = new Ring(cfg.maxQueue);
    this.closedDrops = new ClosedDrops(Math.max(DROP_REPORT_MS, cfg.flushIntervalMs), (n) => this.report(new LookoutClientError('dropped', cfg.endpoint, n, `${rows(n, cfg.endpoint)} dropped: logged after close()`)));
    this.bytes = new QueueBytes(this.queue, cfg.maxBatchChars, cfg.maxQueueBytes, (n) => this.dropped(n));
  }

  /** Rows queued so far (the sequence number of the next one). */
  get enqueued(): number {
    return this.nextSeq;
  }

  /** Every row with a smaller sequence number is settled (sent, rejected, failed or dropped). */
  get settledBelow(): number {
    return this.inflight?.[0] ?? this.queue.peek()?.seq ?? this.nextSeq;
  }

  stats(): EndpointStats {
    return { queued: this.queue.length, inFlight: this.inflight?.length ?? 0, ...this.counts };
  }

  /** O(1): queues a row, dropping the oldest queued one when the queue is full. */
  enqueue(value: unknown, json: string | null, after: number, id: string | null, ts: string | null, key: string | null = null): void {
    if (this.closed) {
      this.counts.dropped++;
      this.closedDrops.add();
      return;
    }
    const full = this.queue.full;
    if (full) this.bytes.release(this.queue.shift() as QueuedRow);
    const row: QueuedRow = { seq: this.nextSeq++, value, id, ts, json, bytes: 0, after, key };
    this.queue.push(row);
    if (full) this.dropped(1);
    this.bytes.add(row);
    this.schedule();
  }

  /** Counts `n` rows dropped off a full queue (rows or bytes) and reports them within DROP_REPORT_MS. */
  private dropped(n: number): void {
    this.counts.dropped += n;
    this.unreportedDrops += n;
    this.dropTimer ??= setTimeout(() => this.reportDrops(), DROP_REPORT_MS).unref();
    this.settled();
  }

  /** A row refused before queueing (not an object, not serialisable, too large): counted as rejected. */
  refuse(message: string, cause?: unknown, count = 1): void {
    this.counts.rejected += count;
    this.report(new LookoutClientError('invalid', this.cfg.endpoint, count, message, { cause }));
  }

  /** Resolves once every row queued before the call is settled. Never rejects. */
  flush(): Promise<void> {
    const target = this.nextSeq;
    if (this.settledBelow >= target) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ target, resolve });
      this.sleepTimer?.ref(); // someone awaits this batch: its retry timer must keep the process alive
      this.schedule();
    });
  }

  /** Stops the interval timer; later rows are dropped. Queued rows are still sent by flush(). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Gives up: the batch in flight fails as soon as its request is aborted, queued rows count as failed now. */
  abandon(): void {
    this.close();
    if (!this.abandoned.signal.aborted) this.abandoned.abort(new Error('abandoned: the close() deadline passed'));
    let n = 0;
    for (let r = this.queue.shift(); r; r = this.queue.shift()) {
      this.bytes.release(r);
      n++;
    }
    if (n === 0) return;
    this.counts.failed += n;
    this.report(new LookoutClientError('failed', this.cfg.endpoint, n, `${rows(n, this.cfg.endpoint)} queued and not sent: the close() deadline passed`));
    this.settled();
  }

  /** Sends the next batch now, or arms the interval timer (unref'ed) for a partial one. */
  schedule(): void {
    if (this.inflight || this.queue.length === 0) return;
    if (this.waiters.length > 0 || this.queue.length >= this.cfg.maxBatch) {
      if (this.kickPending) return;
      this.kickPending = true;
      setImmediate(() => {
        this.kickPending = false;
        this.pump();
      });
    } else if (!this.timer && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, this.cfg.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Tells onError about the rows dropped since the last report (at most one report a second while dropping). */
  reportDrops(): void {
    if (this.dropTimer) clearTimeout(this.dropTimer);
    this.dropTimer = null;
    if (this.unreportedDrops === 0) return;
    const n = this.unreportedDrops;
    this.unreportedDrops = 0;
    this.report(new LookoutClientError('dropped', this.cfg.endpoint, n, `${rows(n, this.cfg.endpoint)} dropped: the queue was full (maxQueue ${this.cfg.maxQueue} rows or maxQueueBytes ${this.cfg.maxQueueBytes} bytes of JSON, oldest dropped first): rows are logged faster than the server takes them (see stats().retries and the failed reports: is it down or slow?); raise maxQueue or maxQueueBytes to hold a longer outage`));
  }

  private pump(): void {
    if (this.inflight) return;
    this.reportDrops();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const { batch, seqs, refused, firstRefusal, bytes } = takeBatch(this.queue, { ...this.cfg, maxBodyBytes: this.bodyLimit.maxBytes });
    this.bytes.taken(bytes);
    if (firstRefusal) this.refuse(refused > 1 ? `${firstRefusal.message} (and ${refused - 1} more)` : firstRefusal.message, firstRefusal.cause, refused);
    if (batch.length === 0) {
      // Nothing sendable: labels waiting for their events (the events sender's onSettle calls schedule()), or only refused rows.
      if (refused > 0) {
        this.settled();
        this.schedule();
      }
      return;
    }
    this.inflight = seqs;
    this.deliver(batch)
      .catch((err: unknown) => {
        this.counts.failed += batch.length;
        this.report(new LookoutClientError('failed', this.cfg.endpoint, batch.length, `${rows(batch.length, this.cfg.endpoint)} not delivered: client bug: ${String(err)}`, { cause: err }));
      })
      .finally(() => {
        this.inflight = null;
        this.settled();
        this.schedule();
      })
      .catch(() => undefined);
  }

  /**
   * `retried`: an earlier request carried these rows (it may have stored them). `startedAt`: of the batch these rows
   * were split from (413), whose age bounds the free retries (RetryBudget).
   */
  private async deliver(batch: string[], retried = false, startedAt?: number): Promise<void> {
    const { endpoint } = this.cfg;
    const body = `{"${endpoint}":[${batch.join(',')}]}`;
    const budget = new RetryBudget(this.cfg, startedAt);
    for (;;) {
      const a = await postBatch(this.cfg, body, this.abandoned.signal);
      const again = retried || budget.retried;
      if (a.kind === 'ok') {
        this.bodyLimit.passed(Buffer.byteLength(body));
        return this.account(batch, a.body, again);
      }
      if (a.kind === 'fatal' && a.tooLarge && batch.length > 1 && !this.abandoned.signal.aborted) {
        // 413 (e.g. a proxy's body limit below maxBatchChars): send the halves, in order; only a row too large alone
        // fails. The later batches are cut at the size learned (audit 25).
        this.bodyLimit.refused(Buffer.byteLength(body));
        const half = Math.ceil(batch.length / 2);
        await this.deliver(batch.slice(0, half), again, budget.startedAt);
        return this.deliver(batch.slice(half), again, budget.startedAt);
      }
      const wait = a.kind === 'retry' && !this.abandoned.signal.aborted ? budget.next(a.retryAfterMs) : null;
      if (wait === null) {
        this.counts.failed += batch.length;
        const why = a.kind === 'fatal' ? 'not retryable' : this.abandoned.signal.aborted ? 'the close() deadline passed' : budget.describe();
        // audit 24: what to check when no answer came at all (the message named only the socket error)
        const hint = a.kind === 'retry' && a.unanswered ? `; no answer from ${this.cfg.url}: check that the Lookout server is running and reachable there (url option), and raise timeoutMs if it is only slow` : '';
        this.report(new LookoutClientError('failed', endpoint, batch.length, `${rows(batch.length, endpoint)} not delivered (${why}): ${describeError(a.error)}${hint}`, { cause: a.error }));
        return;
      }
      this.counts.retries++;
      await this.sleep(wait);
    }
  }

  /** Counts a 2xx answer's rows: sent unless rejected. */
  private account(batch: string[], body: unknown, isRetry: boolean): void {
    for (const w of answerWarnings(body)) {
      const key = JSON.stringify([w.code, w.details['model'], w.details['keys']]);
      if (this.warned.has(key)) continue;
      this.warned.add(key);
      this.call(() => this.cfg.onWarning({ endpoint: this.cfg.endpoint, ...w }));
    }
    const { rejected: found, samples } = rejectedRows(body, isRetry);
    const rejected = Math.min(found, batch.length);
    this.counts.rejected += rejected;
    this.counts.sent += batch.length - rejected;
    if (rejected > 0) {
      const first = samples.map((r) => `#${r.index} ${r.code}: ${r.message}`).join('; ');
      this.report(new LookoutClientError('rejected', this.cfg.endpoint, rejected, `${rejected} of ${rows(batch.length, this.cfg.endpoint)} rejected by the server (not retried): ${first}`, { rejections: samples }));
    }
  }

  /** The wait before a retry: unref'ed unless someone awaits flush(); ends early on abandon(). */
  private sleep(ms: number): Promise<void> {
    return abortableSleep(ms, this.abandoned.signal, (t) => {
      if (t && this.waiters.length === 0) t.unref();
      this.sleepTimer = t;
    });
  }

  private settled(): void {
    if (this.waiters.length > 0) {
      const below = this.settledBelow;
      this.waiters = this.waiters.filter((w) => {
        if (w.target > below) return true;
        w.resolve();
        return false;
      });
    }
    this.cfg.onSettle?.();
  }

  private report(err: LookoutClientError): void {
    this.call(() => this.cfg.onError(err));
  }

  /** Calls one of the caller's handlers: whatever it throws or rejects is swallowed. */
  private call(handler: () => unknown): void {
    try {
      const r: unknown = handler();
      // An async handler's rejection would be unhandled, which ends the process by default (Node 15+).
      if (typeof r === 'object' && r !== null && typeof (r as { then?: unknown }).then === 'function') (r as PromiseLike<unknown>).then(undefined, () => undefined);
    } catch {
      // the caller's handler must not break the client
    }
  }
}

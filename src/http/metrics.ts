import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server (own registry, so several servers in one process do not clash). */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly eventsAccepted = new Counter({ name: 'lookout_events_accepted_total', help: 'Inference events accepted and stored', labelNames: ['model'], registers: [this.registry] });
  readonly undeclaredSegmentKeys = new Counter({ name: 'lookout_events_undeclared_segment_keys_total', help: 'Accepted events whose segment names a key their model does not declare (ignored: the event is stored under the declared keys it has; audit 28)', labelNames: ['model'], registers: [this.registry] });
  readonly unknownEventFields = new Counter({ name: 'lookout_events_unknown_fields_total', help: 'Accepted events with a field that is not an event\'s (ignored, e.g. a misspelled latencyMs; audit 29)', labelNames: ['model'], registers: [this.registry] });
  readonly unknownLabelFields = new Counter({ name: 'lookout_labels_unknown_fields_total', help: 'Accepted label rows with a field that is not a label row\'s (ignored, e.g. a misspelled model; audit 29)', labelNames: ['model'], registers: [this.registry] });
  readonly eventsRejected = new Counter({ name: 'lookout_events_rejected_total', help: 'Inference events answered rejected, by code: by validation, or an id already stored (duplicate_id, e.g. a retried batch)', labelNames: ['model', 'code'], registers: [this.registry] });
  readonly windowsPruned = new Counter({ name: 'lookout_windows_pruned_total', help: 'Minute and 10-minute window summaries deleted a day past the minute-window retention (2 days): no query reads them', registers: [this.registry] });
  readonly alertHistoryPruned = new Counter({ name: 'lookout_alert_history_pruned_total', help: 'Alert history deleted past retention.alertsDays, by kind: alerts (resolved), notifications, actions (over)', labelNames: ['kind'], registers: [this.registry] });
  readonly evaluationsPruned = new Counter({ name: 'lookout_evaluations_pruned_total', help: 'Monitor and SLO evaluations deleted past retention.evaluationsDays (each monitor keeps its newest)', registers: [this.registry] });
  readonly eventsPruned = new Counter({ name: 'lookout_events_pruned_total', help: 'Events deleted past retention.eventsDays (with their labels and the rejected rows of that time; window summaries are kept)', registers: [this.registry] });
  readonly segmentsFolded = new Counter({ name: 'lookout_segments_folded_total', help: 'Events and rejected rows summarised under the "__other__" segment because their model had reached ingest.maxSegmentsPerModel distinct segments', labelNames: ['model'], registers: [this.registry] });
  readonly labelsAccepted = new Counter({ name: 'lookout_labels_accepted_total', help: 'Labels stored', registers: [this.registry] });
  readonly labelsRejected = new Counter({ name: 'lookout_labels_rejected_total', help: 'Labels answered rejected, by code (unknown_prediction, invalid_label, duplicate_in_batch, ...): not stored', labelNames: ['code'], registers: [this.registry] });
  readonly commitSeconds = new Histogram({ name: 'lookout_ingest_commit_seconds', help: 'Time to commit one ingest group', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry] });
  readonly commitStageSeconds = new Histogram({
    name: 'lookout_ingest_commit_stage_seconds',
    help: "Where one ingest group's time goes: prepare (rows, journal record), deltas (from the start until the summary deltas were ready; computed beside wait and store), wait (for the previous group's commit), store (its transaction, journal record synced, COMMIT after the deltas), apply (deltas merged into memory)",
    labelNames: ['stage'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry],
  });
  readonly checkpointSeconds = new Histogram({ name: 'lookout_summary_checkpoint_seconds', help: 'Time to write the dirty window summaries (a checkpoint of the summary journal)', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [this.registry] });
  readonly monitorRoundSeconds = new Histogram({ name: 'lookout_monitor_round_seconds', help: 'Time of one monitor and SLO evaluation round (every monitor due, its windows read and evaluated, alerts and evaluations stored)', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30], registers: [this.registry] });
  readonly monitorEvaluations = new Counter({ name: 'lookout_monitor_evaluations_total', help: 'Monitor windows and SLOs evaluated by the evaluation rounds', registers: [this.registry] });
  readonly notifications = new Counter({ name: 'lookout_notifications_total', help: 'Deliveries of an alert group to a notifier, by status: sent, or failed after its retries (its error in GET /v1/notifications)', labelNames: ['notifier', 'status'], registers: [this.registry] });
  readonly notificationSeconds = new Histogram({ name: 'lookout_notification_seconds', help: 'Time of one delivery to a notifier, its retries and backoff included', labelNames: ['notifier'], buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300], registers: [this.registry] });
  readonly monitorRoundFailures = new Counter({ name: 'lookout_monitor_round_failures_total', help: 'Evaluation rounds that failed (run again whole by the next round)', registers: [this.registry] });
  readonly queryDuration = new Histogram({ name: 'lookout_query_seconds', help: 'Query API evaluation time', labelNames: ['endpoint'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [this.registry] });
  readonly queueDepth: Gauge;
  readonly ingestRefused = new Counter({ name: 'lookout_ingest_refused_total', help: 'POST /v1/events requests answered 429 rate_limited because the ingest queue was full (ingest.maxQueuedEvents): nothing of them was stored or counted; the sender retries them', registers: [this.registry] });
  readonly windowValuesFilled = new Counter({ name: 'lookout_window_values_filled_total', help: 'Closed windows whose stored feature values the window-value filler computed or found holding', registers: [this.registry] });
  readonly windowValueFillFailures = new Counter({ name: 'lookout_window_value_fill_failures_total', help: 'Window-value filler steps that failed (their windows are tried again)', registers: [this.registry] });
  readonly windowValueFillSeconds = new Histogram({ name: 'lookout_window_value_fill_seconds', help: 'Duration of one window-value filler run (periodic or start-up backfill)', buckets: [0.01, 0.1, 0.5, 1, 5, 30, 120, 600], registers: [this.registry] });
  readonly gatewayPredictions = new Counter({
    name: 'lookout_gateway_predictions_total',
    help: 'POST /v1/models/:name/predict answers of a declared model, by outcome: ok (the version routed to answered), fallback (a fallback step answered), upstream_error (502), upstream_timeout (504), unavailable (503)',
    labelNames: ['model', 'outcome'], registers: [this.registry],
  });

  /** Exports what the gateway's recorder did with the events of its predictions (called by the server wiring). */
  watchGatewayRecorder(r: { readonly recorded: number; readonly dropped: number; readonly duplicates: number; readonly failed: number }): void {
    new Counter({
      name: 'lookout_gateway_events_recorded_total', help: 'Events of gateway predictions (and failed requests) stored', registers: [this.registry],
      collect() { this.reset(); this.inc(r.recorded); },
    });
    new Counter({
      name: 'lookout_gateway_events_lost_total',
      help: 'Events of gateway predictions not stored, by reason: queue_full (over 100,000 pending in the recorder, e.g. while the ingest queue is full: dropped), duplicate_id (a request id already recorded), commit_failed (the store refused the batch)',
      labelNames: ['reason'], registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ reason: 'queue_full' }, r.dropped);
        this.inc({ reason: 'duplicate_id' }, r.duplicates);
        this.inc({ reason: 'commit_failed' }, r.failed);
      },
    });
  }

  /** Windows noted for the filler and not filled yet (set by the server wiring). */
  windowValuesPending: () => number = () => 0;
  /** The embedded store's memory by component (set by the server wiring; empty for PostgreSQL). */
  storeMemory: () => Promise<Array<{ component: string; bytes: number }>> = () => Promise.resolve([]);

  /** One monitor evaluation round: its time, what it evaluated, whether it failed. */
  monitorRound(seconds: number, evaluated: number, failed: boolean): void {
    this.monitorRoundSeconds.observe(seconds);
    this.monitorEvaluations.inc(evaluated);
    if (failed) this.monitorRoundFailures.inc();
  }

  /** The notifiers configured: their counts start at 0 (a rate or an alert on failures needs the series before the first). */
  watchNotifiers(ids: readonly string[]): void {
    for (const notifier of ids) for (const status of ['sent', 'failed']) this.notifications.labels(notifier, status).inc(0);
  }

  /** One delivery of a group to a notifier: sent or failed after its attempts, and how long it took. */
  notification(notifier: string, status: string, seconds: number): void {
    this.notifications.labels(notifier, status).inc();
    this.notificationSeconds.labels(notifier).observe(seconds);
  }

  /** Exports the embedded store's memory limit (called by the server wiring for DuckDB; PostgreSQL has none of ours). */
  watchStoreMemoryLimit(limit: () => Promise<number>): void {
    new Gauge({
      name: 'lookout_store_memory_limit_bytes',
      help: 'The most memory the embedded store (DuckDB) may hold (its memory_limit; config duckdbMemoryMb). The id index (lookout_store_memory_bytes{component="ART_INDEX"}) is never evicted: ingest fails once it fills this',
      registers: [this.registry],
      async collect() {
        // A failed read (the store closing) or an unreadable setting keeps the last value.
        const bytes = await limit().catch(() => NaN);
        if (Number.isFinite(bytes)) this.set(bytes);
      },
    });
  }

  constructor(queued: () => number) {
    this.queueDepth = new Gauge({ name: 'lookout_ingest_queue_events', help: 'Events and rejected rows accepted for a commit and not yet answered (queued or in their transaction); ingest.maxQueuedEvents bounds it', registers: [this.registry], collect() { this.set(queued()); } });
    const pending = (): number => this.windowValuesPending();
    new Gauge({ name: 'lookout_window_values_pending', help: 'Hour and day windows written and not yet filled by the window-value filler (open ones included)', registers: [this.registry], collect() { this.set(pending()); } });
    const storeMemory = (): Promise<Array<{ component: string; bytes: number }>> => this.storeMemory();
    new Gauge({
      name: 'lookout_store_memory_bytes', help: "Memory the embedded store (DuckDB) holds, by component (its duckdb_memory(); ART_INDEX holds the events' id index)",
      labelNames: ['component'], registers: [this.registry],
      async collect() {
        this.reset();
        for (const m of await storeMemory().catch(() => [])) this.set({ component: m.component }, m.bytes);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'lookout_' }); // prom-client's names start process_ or nodejs_ already
  }
}

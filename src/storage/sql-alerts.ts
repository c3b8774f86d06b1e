import type {
  ActionRecord, AlertQuery, AlertRecord, AlertStore, EvaluationRecord, NotificationRecord, PageCursor, SilenceQuery, SilenceRecord, StoredMonitor,
} from './alerts.js';
import { FINAL_ACTION_STATES, type AlertHistoryTimes } from './alerts.js';
import type { Row } from './duckdb/rows.js';

/** Ids per query of getAlerts (one query per page). */
const GET_ALERTS_PAGE = 1000;
/** Rows read per page by pruneAlertHistory (and ids per DELETE). */
const PRUNE_PAGE = 1000;

export type Param = string | number;
export interface Statement {
  text: string;
  params: Param[];
}

/** What a SQL backend gives the alert store: reads, a transaction of statements, and table names. */
export interface SqlRunner {
  query(s: Statement): Promise<Row[]>;
  /** Runs the statements in one transaction. */
  transaction(statements: readonly Statement[]): Promise<void>;
  table(name: AlertTable): string;
  /** The SQL expression of a number of a row's JSON `doc` (NULL when null or missing): the dialect's JSON reading. */
  docNumber(field: string): string;
}

export type AlertTable = 'monitors' | 'monitor_evaluations' | 'alerts' | 'silences' | 'alert_notifications' | 'alert_actions';

/** DDL of the alert tables; `text` is the key/text column type of the dialect, `t` qualifies table names. */
export function alertTablesDdl(t: (n: AlertTable) => string, key: string, text: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t('monitors')} (id ${key} PRIMARY KEY, model ${key}, type ${text} NOT NULL, updated_at BIGINT NOT NULL, doc ${text} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t('monitor_evaluations')} (monitor_id ${key}, ts BIGINT NOT NULL, doc ${text} NOT NULL, PRIMARY KEY (monitor_id, ts))`,
    `CREATE TABLE IF NOT EXISTS ${t('alerts')} (id ${key} PRIMARY KEY, fingerprint ${key}, model ${key}, monitor_id ${key}, state ${text} NOT NULL, starts_at BIGINT NOT NULL, doc ${text} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t('silences')} (id ${key} PRIMARY KEY, ends_at BIGINT NOT NULL, doc ${text} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t('alert_notifications')} (id ${key} PRIMARY KEY, ts BIGINT NOT NULL, group_key ${key}, doc ${text} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t('alert_actions')} (id ${key} PRIMARY KEY, ts BIGINT NOT NULL, model ${key}, kind ${text} NOT NULL, doc ${text} NOT NULL)`,
  ];
}

const doc = <T>(r: Row): T => JSON.parse(String(r['doc'])) as T;
const whereClause = (where: readonly string[]): string => (where.length ? ` WHERE ${where.join(' AND ')}` : '');
const limitClause = (limit: number | undefined): string => (limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`);

/**
 * Keyset paging: the rows after `c` in an order by `col` then id (`desc`: the time descending; `idDesc`: the id too).
 * Ids are byte-ordered on both backends (COLLATE "C" key columns on PostgreSQL).
 */
function afterCursor(where: string[], params: Param[], col: string, c: PageCursor | undefined, desc: boolean, idDesc: boolean): void {
  if (c === undefined) return;
  const at = `$${params.push(c.at)}`;
  const id = `$${params.push(c.id)}`;
  where.push(`(${col} ${desc ? '<' : '>'} ${at} OR (${col} = ${at} AND id ${idDesc ? '<' : '>'} ${id}))`);
}
/** Rows per multi-row INSERT (bounds the number of parameters). */
const CHUNK = 500;

/** The alert store over any SQL backend taking $n parameters and ON CONFLICT upserts (DuckDB, PostgreSQL). */
export class SqlAlertStore implements AlertStore {
  constructor(private readonly db: SqlRunner) {}

  private t(n: AlertTable): string {
    return this.db.table(n);
  }

  private upsert(table: AlertTable, cols: string[], key: string[], values: Param[][]): Statement[] {
    const out: Statement[] = [];
    for (let i = 0; i < values.length; i += CHUNK) {
      const part = values.slice(i, i + CHUNK);
      const params: Param[] = [];
      const rows = part.map((v) => `(${v.map((x) => { params.push(x); return `$${params.length}`; }).join(', ')})`);
      const update = cols.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`).join(', ');
      out.push({ text: `INSERT INTO ${this.t(table)} (${cols.join(', ')}) VALUES ${rows.join(', ')} ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${update}`, params });
    }
    return out;
  }

  putMonitor(m: StoredMonitor): Promise<void> {
    return this.db.transaction(this.upsert('monitors', ['id', 'model', 'type', 'updated_at', 'doc'], ['id'], [[m.id, m.model, m.type, m.updatedAt, JSON.stringify(m)]]));
  }

  async getMonitor(id: string): Promise<StoredMonitor | null> {
    const rows = await this.db.query({ text: `SELECT doc FROM ${this.t('monitors')} WHERE id = $1`, params: [id] });
    return rows[0] ? doc<StoredMonitor>(rows[0]) : null;
  }

  async listMonitors(q: { model?: string; type?: StoredMonitor['type'] } = {}): Promise<StoredMonitor[]> {
    const params: Param[] = [];
    const where: string[] = [];
    if (q.model !== undefined) where.push(`model = $${params.push(q.model)}`);
    if (q.type !== undefined) where.push(`type = $${params.push(q.type)}`);
    const text = `SELECT doc FROM ${this.t('monitors')}${whereClause(where)} ORDER BY model, id`;
    return (await this.db.query({ text, params })).map((r) => doc<StoredMonitor>(r));
  }

  async deleteMonitor(id: string): Promise<boolean> {
    const found = await this.getMonitor(id);
    if (!found) return false;
    await this.db.transaction([{ text: `DELETE FROM ${this.t('monitors')} WHERE id = $1`, params: [id] }]);
    return true;
  }

  appendEvaluations(e: readonly EvaluationRecord[]): Promise<void> {
    if (e.length === 0) return Promise.resolve();
    const byKey = new Map(e.map((x) => [`${x.monitorId}\u0000${x.at}`, x]));
    return this.db.transaction(this.upsert('monitor_evaluations', ['monitor_id', 'ts', 'doc'], ['monitor_id', 'ts'], [...byKey.values()].map((x) => [x.monitorId, x.at, JSON.stringify(x)])));
  }

  async listEvaluations(monitorId: string, from: number, to: number, limit?: number): Promise<EvaluationRecord[]> {
    const text = `SELECT doc FROM ${this.t('monitor_evaluations')} WHERE monitor_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts${limitClause(limit)}`;
    return (await this.db.query({ text, params: [monitorId, from, to] })).map((r) => doc<EvaluationRecord>(r));
  }

  async latestEvaluations(): Promise<EvaluationRecord[]> {
    const e = this.t('monitor_evaluations');
    const text = `SELECT e.doc FROM ${e} e JOIN (SELECT monitor_id, max(ts) AS ts FROM ${e} GROUP BY monitor_id) m ON m.monitor_id = e.monitor_id AND m.ts = e.ts ORDER BY e.monitor_id`;
    return (await this.db.query({ text, params: [] })).map((r) => doc<EvaluationRecord>(r));
  }

  async pruneEvaluations(before: number): Promise<number> {
    // Each monitor's newest evaluation stays, however old: a restart resumes the monitor's schedule from it (without it,
    // from up to 48 windows back, evaluated again).
    const e = this.t('monitor_evaluations');
    const where = { text: `FROM ${e} AS e WHERE e.ts < $1 AND e.ts < (SELECT max(m.ts) FROM ${e} AS m WHERE m.monitor_id = e.monitor_id)`, params: [before] };
    const [row] = await this.db.query({ ...where, text: `SELECT count(*) AS n ${where.text}` });
    const n = Number(row?.['n'] ?? 0);
    // The count is for the log and /metrics: an evaluation of a past window appended between the two statements (a
    // monitor catching up after downtime) would be deleted without being counted.
    if (n > 0) await this.db.transaction([{ ...where, text: `DELETE ${where.text}` }]);
    return n;
  }

  async pruneAlertHistory(before: AlertHistoryTimes): Promise<AlertHistoryTimes> {
    // An alert's end and an action's state are in the doc only (no column, no migration of older stores): the
    // candidates are read a page at a time and those to go deleted by id, one transaction per page. A resolved alert
    // that ended before the time started before it (starts_at <= endsAt), so starts_at narrows the candidates.
    const alerts = await this.pruneByDoc<AlertRecord>('alerts', 'starts_at', `state = 'resolved' AND starts_at < $1`, before.alerts,
      (a) => a.state === 'resolved' && (a.endsAt ?? a.updatedAt) < before.alerts, `state = 'resolved'`);
    const n = this.t('alert_notifications');
    const [row] = await this.db.query({ text: `SELECT count(*) AS n FROM ${n} WHERE ts < $1`, params: [before.notifications] });
    const notifications = Number(row?.['n'] ?? 0);
    // notifications are appended with the time they are sent: none can join those counted before the delete
    if (notifications > 0) await this.db.transaction([{ text: `DELETE FROM ${n} WHERE ts < $1`, params: [before.notifications] }]);
    const actions = await this.pruneByDoc<ActionRecord>('alert_actions', 'ts', 'ts < $1', before.actions, (a) => FINAL_ACTION_STATES.includes(a.state));
    return { alerts, notifications, actions };
  }

  /**
   * Deletes the rows matching `where` (its $1 is `bound`) whose doc passes `gone`, read `PRUNE_PAGE` at a time in
   * (`order`, id) order; `guard` is added to the delete (a row that changed since it was read stays). Returns how many.
   */
  private async pruneByDoc<T extends { id: string }>(table: AlertTable, order: string, where: string, bound: number, gone: (d: T) => boolean, guard?: string): Promise<number> {
    let deleted = 0;
    let after: PageCursor | undefined;
    for (;;) {
      const params: Param[] = [bound];
      const conditions = [where];
      afterCursor(conditions, params, order, after, false, false);
      const rows = await this.db.query({ text: `SELECT id, ${order} AS k, doc FROM ${this.t(table)}${whereClause(conditions)} ORDER BY ${order}, id${limitClause(PRUNE_PAGE)}`, params });
      const last = rows[rows.length - 1];
      if (last === undefined) return deleted;
      after = { at: Number(last['k']), id: String(last['id']) };
      const ids = rows.map((r) => doc<T>(r)).filter(gone).map((d) => d.id);
      if (ids.length > 0) {
        await this.db.transaction([{ text: `DELETE FROM ${this.t(table)} WHERE id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})${guard ? ` AND ${guard}` : ''}`, params: ids }]);
        deleted += ids.length;
      }
      if (rows.length < PRUNE_PAGE) return deleted;
    }
  }

  putAlert(a: AlertRecord): Promise<void> {
    return this.db.transaction(this.upsert('alerts', ['id', 'fingerprint', 'model', 'monitor_id', 'state', 'starts_at', 'doc'], ['id'],
      [[a.id, a.fingerprint, a.model, a.monitorId, a.state, a.startsAt, JSON.stringify(a)]]));
  }

  async getAlert(id: string): Promise<AlertRecord | null> {
    const rows = await this.db.query({ text: `SELECT doc FROM ${this.t('alerts')} WHERE id = $1`, params: [id] });
    return rows[0] ? doc<AlertRecord>(rows[0]) : null;
  }

  async getAlerts(ids: readonly string[]): Promise<AlertRecord[]> {
    const out: AlertRecord[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += GET_ALERTS_PAGE) {
      const page = unique.slice(i, i + GET_ALERTS_PAGE);
      const text = `SELECT doc FROM ${this.t('alerts')} WHERE id IN (${page.map((_, j) => `$${j + 1}`).join(', ')})`;
      out.push(...(await this.db.query({ text, params: page })).map((r) => doc<AlertRecord>(r)));
    }
    return out;
  }

  async listAlerts(q: AlertQuery = {}): Promise<AlertRecord[]> {
    const params: Param[] = [];
    const where: string[] = [];
    if (q.state !== undefined) where.push(`state = $${params.push(q.state)}`);
    if (q.model !== undefined) where.push(`model = $${params.push(q.model)}`);
    if (q.monitorId !== undefined) where.push(`monitor_id = $${params.push(q.monitorId)}`);
    if (q.fingerprint !== undefined) where.push(`fingerprint = $${params.push(q.fingerprint)}`);
    if (q.unresolved === true) where.push(`state <> 'resolved'`);
    if (q.from !== undefined) where.push(`starts_at >= $${params.push(q.from)}`);
    if (q.to !== undefined) where.push(`starts_at < $${params.push(q.to)}`);
    // Active in [activeFrom, activeTo) (audit 24): an alert's end is in its doc only (see pruneAlertHistory); one that
    // started at or after activeFrom ended after it, so the doc is read only for those that started before.
    if (q.activeTo !== undefined) where.push(`starts_at < $${params.push(q.activeTo)}`);
    if (q.activeFrom !== undefined) {
      const from = `$${params.push(q.activeFrom)}`;
      where.push(`(state <> 'resolved' OR starts_at >= ${from} OR COALESCE(${this.db.docNumber('endsAt')}, ${this.db.docNumber('updatedAt')}) >= ${from})`);
    }
    afterCursor(where, params, 'starts_at', q.before, true, true);
    const text = `SELECT doc FROM ${this.t('alerts')}${whereClause(where)} ORDER BY starts_at DESC, id DESC${limitClause(q.limit)}`;
    return (await this.db.query({ text, params })).map((r) => doc<AlertRecord>(r));
  }

  putSilence(s: SilenceRecord): Promise<void> {
    return this.db.transaction(this.upsert('silences', ['id', 'ends_at', 'doc'], ['id'], [[s.id, s.endsAt, JSON.stringify(s)]]));
  }

  async getSilence(id: string): Promise<SilenceRecord | null> {
    const rows = await this.db.query({ text: `SELECT doc FROM ${this.t('silences')} WHERE id = $1`, params: [id] });
    return rows[0] ? doc<SilenceRecord>(rows[0]) : null;
  }

  async listSilences(q: SilenceQuery = {}): Promise<SilenceRecord[]> {
    const params: Param[] = [];
    const where: string[] = [];
    if (q.endingAfter !== undefined) where.push(`ends_at > $${params.push(q.endingAfter)}`);
    // Muting at some moment of [activeFrom, activeTo) (audit 25): [startsAt, endsAt) overlaps it. startsAt is in the
    // doc only (the table predates ranges); endsAt has its column.
    if (q.activeFrom !== undefined || q.activeTo !== undefined) {
      const starts = this.db.docNumber('startsAt');
      where.push(`${starts} < ends_at`);
      if (q.activeFrom !== undefined) where.push(`ends_at > $${params.push(q.activeFrom)}`);
      if (q.activeTo !== undefined) where.push(`${starts} < $${params.push(q.activeTo)}`);
    }
    afterCursor(where, params, 'ends_at', q.after, true, false);
    const text = `SELECT doc FROM ${this.t('silences')}${whereClause(where)} ORDER BY ends_at DESC, id${limitClause(q.limit)}`;
    return (await this.db.query({ text, params })).map((r) => doc<SilenceRecord>(r));
  }

  appendNotifications(n: readonly NotificationRecord[]): Promise<void> {
    if (n.length === 0) return Promise.resolve();
    return this.db.transaction(this.upsert('alert_notifications', ['id', 'ts', 'group_key', 'doc'], ['id'], [...new Map(n.map((x) => [x.id, x])).values()].map((x) => [x.id, x.at, x.groupKey, JSON.stringify(x)])));
  }

  async getNotification(id: string): Promise<NotificationRecord | null> {
    const rows = await this.db.query({ text: `SELECT doc FROM ${this.t('alert_notifications')} WHERE id = $1`, params: [id] });
    return rows[0] ? doc<NotificationRecord>(rows[0]) : null;
  }

  async listNotifications(q: { from?: number; to?: number; groupKey?: string; after?: PageCursor; limit?: number } = {}): Promise<NotificationRecord[]> {
    const params: Param[] = [];
    const where: string[] = [];
    if (q.from !== undefined) where.push(`ts >= $${params.push(q.from)}`);
    if (q.to !== undefined) where.push(`ts < $${params.push(q.to)}`);
    if (q.groupKey !== undefined) where.push(`group_key = $${params.push(q.groupKey)}`);
    afterCursor(where, params, 'ts', q.after, false, false);
    const text = `SELECT doc FROM ${this.t('alert_notifications')}${whereClause(where)} ORDER BY ts, id${limitClause(q.limit)}`;
    return (await this.db.query({ text, params })).map((r) => doc<NotificationRecord>(r));
  }

  putAction(a: ActionRecord): Promise<void> {
    return this.db.transaction(this.upsert('alert_actions', ['id', 'ts', 'model', 'kind', 'doc'], ['id'], [[a.id, a.at, a.model, a.kind, JSON.stringify(a)]]));
  }

  async getAction(id: string): Promise<ActionRecord | null> {
    const rows = await this.db.query({ text: `SELECT doc FROM ${this.t('alert_actions')} WHERE id = $1`, params: [id] });
    return rows[0] ? doc<ActionRecord>(rows[0]) : null;
  }

  async listActions(q: { model?: string; kind?: string; before?: PageCursor; limit?: number } = {}): Promise<ActionRecord[]> {
    const params: Param[] = [];
    const where: string[] = [];
    if (q.model !== undefined) where.push(`model = $${params.push(q.model)}`);
    if (q.kind !== undefined) where.push(`kind = $${params.push(q.kind)}`);
    afterCursor(where, params, 'ts', q.before, true, true);
    const text = `SELECT doc FROM ${this.t('alert_actions')}${whereClause(where)} ORDER BY ts DESC, id DESC${limitClause(q.limit)}`;
    return (await this.db.query({ text, params })).map((r) => doc<ActionRecord>(r));
  }
}

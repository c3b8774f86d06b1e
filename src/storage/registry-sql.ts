import { num, type Row } from './duckdb/rows.js';
import {
  AliasConflictError, NulInTextError, type AliasChange, type ArtifactRef, type DeploymentKind, type DeploymentRecord, type Lineage, type PauseRecord,
  type RegistryStore, type RegistryVersionRecord, type RolloutRecord, type VersionPatch, type VersionTarget,
} from './registry.js';

/** Runs one parameterised statement ($1, $2, ... placeholders: both DuckDB and PostgreSQL take them). */
export interface SqlRunner {
  query(text: string, params: unknown[]): Promise<Row[]>;
}

/** A backend's SQL access: single statements, and transactions (all statements of `work` or none). */
export interface SqlExec extends SqlRunner {
  tx<T>(work: (q: SqlRunner) => Promise<T>): Promise<T>;
}

type Table = 'registry_versions' | 'registry_aliases' | 'registry_deployments' | 'registry_serving' | 'registry_rollouts' | 'registry_pauses';

/** Idempotent DDL (the tables and indexes, and the migration of a store made by an earlier Lookout); TEXT and BIGINT mean the same in DuckDB and PostgreSQL. */
export function registryDdl(t: (name: Table) => string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t('registry_versions')} (model TEXT NOT NULL, version TEXT NOT NULL, created_at BIGINT NOT NULL,
      created_by TEXT, artifact TEXT, lineage TEXT NOT NULL, tags TEXT NOT NULL, notes TEXT, upstream TEXT, PRIMARY KEY (model, version))`,
    `CREATE TABLE IF NOT EXISTS ${t('registry_aliases')} (model TEXT NOT NULL, alias TEXT NOT NULL, version TEXT NOT NULL, PRIMARY KEY (model, alias))`,
    `CREATE TABLE IF NOT EXISTS ${t('registry_deployments')} (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, model TEXT NOT NULL, at_ms BIGINT NOT NULL,
      alias TEXT NOT NULL, from_version TEXT, to_version TEXT NOT NULL, by_whom TEXT NOT NULL, reason TEXT NOT NULL, kind TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t('registry_serving')} (model TEXT PRIMARY KEY, config TEXT NOT NULL, updated_at BIGINT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t('registry_rollouts')} (id TEXT PRIMARY KEY, model TEXT NOT NULL, state TEXT NOT NULL,
      created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, data TEXT NOT NULL)`,
    // A model's newest rollouts (listRolloutPage, latestRollouts) without reading its whole history; IF NOT EXISTS: a
    // store made before the index gets it at its next start, like every statement here (init runs them all).
    `CREATE INDEX IF NOT EXISTS registry_rollouts_model_created ON ${t('registry_rollouts')} (model, created_at)`,
    `CREATE TABLE IF NOT EXISTS ${t('registry_pauses')} (model TEXT NOT NULL, version TEXT NOT NULL, at_ms BIGINT NOT NULL,
      by_whom TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (model, version))`,
  ];
}

/** A model's rollouts, newest first ($1 model, $2 limit; with `before`, those older than ($3 created_at, $4 id)). */
export function rolloutPageSql(table: string, before: boolean): string {
  // COLLATE "C": byte order on PostgreSQL whatever the database's collation (DuckDB's default already), as listRollouts sorts
  const after = before ? ' AND (created_at < $3 OR (created_at = $3 AND (id COLLATE "C") < $4))' : '';
  return `SELECT * FROM ${table} WHERE model = $1${after} ORDER BY created_at DESC, (id COLLATE "C") DESC LIMIT $2`;
}

/** The newest rollout of each model. */
export function latestRolloutsSql(table: string): string {
  return `SELECT id, model, state, created_at, updated_at, data FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY model
    ORDER BY created_at DESC, (id COLLATE "C") DESC) AS newest FROM ${table}) latest WHERE newest = 1`;
}

const str = (v: unknown): string => String(v);

/** Refuses text with U+0000 (PostgreSQL text cannot hold it; DuckDB would keep it): the same answer on both backends. */
function noNul(fields: Record<string, string | null | undefined>): void {
  for (const [field, v] of Object.entries(fields)) if (typeof v === 'string' && v.includes('\u0000')) throw new NulInTextError(field);
}
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function noDeploymentNul(d: DeploymentRecord): void {
  noNul({ alias: d.alias, by: d.by, reason: d.reason });
}

function toVersion(r: Row): RegistryVersionRecord {
  return {
    model: str(r.model), version: str(r.version), createdAt: num(r.created_at), createdBy: strOrNull(r.created_by),
    artifact: r.artifact === null || r.artifact === undefined ? null : JSON.parse(str(r.artifact)) as ArtifactRef,
    lineage: JSON.parse(str(r.lineage)) as Lineage, tags: JSON.parse(str(r.tags)) as string[],
    notes: strOrNull(r.notes), upstream: strOrNull(r.upstream),
  };
}

function toDeployment(r: Row): DeploymentRecord {
  return {
    id: str(r.id), model: str(r.model), at: num(r.at_ms), alias: str(r.alias), from: strOrNull(r.from_version), to: str(r.to_version),
    by: str(r.by_whom), reason: str(r.reason), kind: str(r.kind) as DeploymentKind,
  };
}

function toRollout(r: Row): RolloutRecord {
  return {
    id: str(r.id), model: str(r.model), state: str(r.state), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
    data: JSON.parse(str(r.data)) as Record<string, unknown>,
  };
}

function toPause(r: Row): PauseRecord {
  return { model: str(r.model), version: str(r.version), at: num(r.at_ms), by: str(r.by_whom), reason: str(r.reason) };
}

/** The registry store over any SqlExec; `t` maps a table to its (possibly schema-qualified) name. */
export class SqlRegistryStore implements RegistryStore {
  constructor(private readonly db: SqlExec, private readonly t: (name: Table) => string = (n) => n) {}

  async init(): Promise<void> {
    await this.db.tx(async (q) => {
      for (const ddl of registryDdl(this.t)) await q.query(ddl, []);
    });
  }

  async createVersion(v: RegistryVersionRecord): Promise<boolean> {
    noNul({ createdBy: v.createdBy, notes: v.notes, upstream: v.upstream });
    return this.db.tx(async (q) => {
      if ((await this.selectVersion(q, v.model, v.version)) !== null) return false;
      await q.query(`INSERT INTO ${this.t('registry_versions')} (model, version, created_at, created_by, artifact, lineage, tags, notes, upstream)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
        v.model, v.version, v.createdAt, v.createdBy, v.artifact === null ? null : JSON.stringify(v.artifact),
        JSON.stringify(v.lineage), JSON.stringify(v.tags), v.notes, v.upstream,
      ]);
      return true;
    });
  }

  getVersion(model: string, version: string): Promise<RegistryVersionRecord | null> {
    return this.selectVersion(this.db, model, version);
  }

  async listVersions(model: string): Promise<RegistryVersionRecord[]> {
    const rows = await this.db.query(`SELECT * FROM ${this.t('registry_versions')} WHERE model = $1`, [model]);
    return rows.map(toVersion).sort((a, b) => a.createdAt - b.createdAt || cmp(a.version, b.version));
  }

  async versionTargets(model?: string): Promise<VersionTarget[]> {
    const where = model === undefined ? '' : ' WHERE model = $1';
    const rows = await this.db.query(`SELECT model, version, upstream FROM ${this.t('registry_versions')}${where}`, model === undefined ? [] : [model]);
    return rows.map((r) => ({ model: str(r.model), version: str(r.version), upstream: strOrNull(r.upstream) }))
      .sort((a, b) => cmp(a.model, b.model) || cmp(a.version, b.version));
  }

  async updateVersion(model: string, version: string, patch: VersionPatch): Promise<RegistryVersionRecord | null> {
    noNul({ notes: patch.notes, upstream: patch.upstream });
    return this.db.tx(async (q) => {
      const cur = await this.selectVersion(q, model, version);
      if (cur === null) return null;
      const next: RegistryVersionRecord = {
        ...cur, ...(patch.tags !== undefined && { tags: patch.tags }), ...(patch.notes !== undefined && { notes: patch.notes }),
        ...(patch.upstream !== undefined && { upstream: patch.upstream }),
      };
      await q.query(`UPDATE ${this.t('registry_versions')} SET tags = $3, notes = $4, upstream = $5 WHERE model = $1 AND version = $2`,
        [model, version, JSON.stringify(next.tags), next.notes, next.upstream]);
      return next;
    });
  }

  attachArtifact(model: string, version: string, artifact: ArtifactRef): Promise<RegistryVersionRecord | null> {
    return this.db.tx(async (q) => {
      const cur = await this.selectVersion(q, model, version);
      if (cur === null || cur.artifact !== null) return cur;
      await q.query(`UPDATE ${this.t('registry_versions')} SET artifact = $3 WHERE model = $1 AND version = $2`, [model, version, JSON.stringify(artifact)]);
      return { ...cur, artifact };
    });
  }

  async aliases(model: string): Promise<Record<string, string>> {
    const rows = await this.db.query(`SELECT alias, version FROM ${this.t('registry_aliases')} WHERE model = $1`, [model]);
    const out: Record<string, string> = {};
    for (const r of rows.sort((a, b) => cmp(str(a.alias), str(b.alias)))) out[str(r.alias)] = str(r.version);
    return out;
  }

  async allAliases(): Promise<Array<{ model: string; alias: string; version: string }>> {
    const rows = await this.db.query(`SELECT model, alias, version FROM ${this.t('registry_aliases')}`, []);
    return rows.map((r) => ({ model: str(r.model), alias: str(r.alias), version: str(r.version) }))
      .sort((a, b) => cmp(a.model, b.model) || cmp(a.alias, b.alias));
  }

  async setAlias(change: AliasChange, d: DeploymentRecord): Promise<string | null> {
    noDeploymentNul(d);
    return this.db.tx(async (q) => {
      const rows = await q.query(`SELECT version FROM ${this.t('registry_aliases')} WHERE model = $1 AND alias = $2`, [change.model, change.alias]);
      const previous = rows[0] === undefined ? null : str(rows[0].version);
      if (change.expectFrom !== undefined && change.expectFrom !== previous) throw new AliasConflictError(change.alias, change.expectFrom, previous);
      if (previous === change.to) return previous;
      await q.query(`INSERT INTO ${this.t('registry_aliases')} (model, alias, version) VALUES ($1, $2, $3)
        ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version`, [change.model, change.alias, change.to]);
      await this.insertDeployment(q, { ...d, from: previous });
      return previous;
    });
  }

  async recordDeployment(d: DeploymentRecord): Promise<void> {
    noDeploymentNul(d);
    return this.db.tx((q) => this.insertDeployment(q, d));
  }

  async deployments(model: string, from: number, to: number): Promise<DeploymentRecord[]> {
    // seq, not at_ms: `at` is taken when the request arrives, before its transaction waits for the ones ahead of it
    // (PostgreSQL grants the registry's lock in no particular order), so under concurrent changes `at` order is not the
    // order they were applied in, and a history sorted by it did not chain (rollback read it as a stack: wrong target)
    const rows = await this.db.query(`SELECT * FROM ${this.t('registry_deployments')} WHERE model = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY seq`, [model, from, to]);
    return rows.map(toDeployment);
  }

  async putServing(model: string, config: Record<string, unknown>, at: number): Promise<void> {
    await this.db.tx((q) => q.query(`INSERT INTO ${this.t('registry_serving')} (model, config, updated_at) VALUES ($1, $2, $3)
      ON CONFLICT (model) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`, [model, JSON.stringify(config), at]));
  }

  async getServing(model: string): Promise<Record<string, unknown> | null> {
    const rows = await this.db.query(`SELECT config FROM ${this.t('registry_serving')} WHERE model = $1`, [model]);
    return rows[0] === undefined ? null : JSON.parse(str(rows[0].config)) as Record<string, unknown>;
  }

  async listServing(): Promise<Array<{ model: string; config: Record<string, unknown> }>> {
    const rows = await this.db.query(`SELECT model, config FROM ${this.t('registry_serving')}`, []);
    return rows.map((r) => ({ model: str(r.model), config: JSON.parse(str(r.config)) as Record<string, unknown> })).sort((a, b) => cmp(a.model, b.model));
  }

  async putRollout(r: RolloutRecord): Promise<void> {
    await this.db.tx((q) => q.query(`INSERT INTO ${this.t('registry_rollouts')} (id, model, state, created_at, updated_at, data) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, data = excluded.data`,
    [r.id, r.model, r.state, r.createdAt, r.updatedAt, JSON.stringify(r.data)]));
  }

  async getRollout(id: string): Promise<RolloutRecord | null> {
    const rows = await this.db.query(`SELECT * FROM ${this.t('registry_rollouts')} WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : toRollout(rows[0]);
  }

  async listRollouts(model?: string): Promise<RolloutRecord[]> {
    const rows = model === undefined
      ? await this.db.query(`SELECT * FROM ${this.t('registry_rollouts')}`, [])
      : await this.db.query(`SELECT * FROM ${this.t('registry_rollouts')} WHERE model = $1`, [model]);
    return rows.map(toRollout).sort((a, b) => b.createdAt - a.createdAt || cmp(b.id, a.id));
  }

  async listRolloutPage(model: string, limit: number, before?: { createdAt: number; id: string }): Promise<RolloutRecord[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`invalid limit: ${limit}`);
    const rows = await this.db.query(rolloutPageSql(this.t('registry_rollouts'), before !== undefined),
      before === undefined ? [model, limit] : [model, limit, before.createdAt, before.id]);
    return rows.map(toRollout);
  }

  async latestRollouts(): Promise<RolloutRecord[]> {
    const rows = await this.db.query(latestRolloutsSql(this.t('registry_rollouts')), []);
    return rows.map(toRollout).sort((a, b) => cmp(a.model, b.model));
  }

  async pause(p: PauseRecord, d: DeploymentRecord): Promise<boolean> {
    noNul({ by: p.by, reason: p.reason });
    noDeploymentNul(d);
    return this.db.tx(async (q) => {
      const added = await q.query(`INSERT INTO ${this.t('registry_pauses')} (model, version, at_ms, by_whom, reason) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (model, version) DO NOTHING RETURNING version`, [p.model, p.version, p.at, p.by, p.reason]);
      if (added.length === 0) return false;
      await this.insertDeployment(q, d);
      return true;
    });
  }

  async resume(model: string, version: string, d: DeploymentRecord): Promise<boolean> {
    noDeploymentNul(d);
    return this.db.tx(async (q) => {
      const removed = await q.query(`DELETE FROM ${this.t('registry_pauses')} WHERE model = $1 AND version = $2 RETURNING version`, [model, version]);
      if (removed.length === 0) return false;
      await this.insertDeployment(q, d);
      return true;
    });
  }

  async listPauses(): Promise<PauseRecord[]> {
    const rows = await this.db.query(`SELECT * FROM ${this.t('registry_pauses')}`, []);
    return rows.map(toPause).sort((a, b) => cmp(a.model, b.model) || cmp(a.version, b.version));
  }

  private async selectVersion(q: SqlRunner, model: string, version: string): Promise<RegistryVersionRecord | null> {
    const rows = await q.query(`SELECT * FROM ${this.t('registry_versions')} WHERE model = $1 AND version = $2`, [model, version]);
    return rows[0] === undefined ? null : toVersion(rows[0]);
  }

  private async insertDeployment(q: SqlRunner, d: DeploymentRecord): Promise<void> {
    const seq = num((await q.query(`SELECT coalesce(max(seq), 0) + 1 AS n FROM ${this.t('registry_deployments')}`, []))[0]?.n ?? 1);
    await q.query(`INSERT INTO ${this.t('registry_deployments')} (id, seq, model, at_ms, alias, from_version, to_version, by_whom, reason, kind)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [d.id, seq, d.model, d.at, d.alias, d.from, d.to, d.by, d.reason, d.kind]);
  }
}

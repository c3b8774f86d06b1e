import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StorageBackend } from './backend.js';
import { AliasConflictError, NulInTextError, type DeploymentRecord, type RegistryStore, type RegistryVersionRecord, type VersionTarget } from './registry.js';

/** The shared contract of RegistryStore: run against every backend (see duckdb/ and postgres/ registry.test.ts). */
const T0 = 1_700_000_000_000;

function ver(model: string, version: string, over: Partial<RegistryVersionRecord> = {}): RegistryVersionRecord {
  return {
    model, version, createdAt: T0, createdBy: 'ci', artifact: null, tags: [], notes: null, upstream: null,
    lineage: { gitCommit: 'abc123', dataVersion: 'd-2024-01', hyperparameters: { depth: 6, lr: 0.1, nested: { a: [1, 'x', null] } }, metrics: { auc: 0.91 } },
    ...over,
  };
}

function dep(id: string, model: string, over: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return { id, model, at: T0, alias: 'production', from: null, to: '1.0.0', by: 'alice', reason: 'first', kind: 'set', ...over };
}

export function registryContract(name: string, open: () => Promise<StorageBackend>, cleanup?: () => Promise<void>): void {
  describe(`registry store contract: ${name}`, () => {
    let store: StorageBackend;
    let r: RegistryStore;
    before(async () => {
      store = await open();
      await store.init();
      r = store.registry();
      await r.init();
      await r.init(); // idempotent
    });
    after(async () => {
      await store?.close();
      await cleanup?.();
    });

    test('versions: create once, get, list in creation order, unknown is null', async () => {
      const a = ver('rv', '1.0.0', { createdAt: T0 + 10, tags: ['baseline'], notes: 'why: first', upstream: 'http://127.0.0.1:1/predict' });
      const b = ver('rv', '1.1.0', { createdAt: T0 + 20, artifact: { sha256: 'ab'.repeat(32), size: 3, uri: `artifact:${'ab'.repeat(32)}` } });
      const c = ver('rv', '0.9.0', { createdAt: T0 + 20, lineage: {} });
      assert.equal(await r.createVersion(b), true);
      assert.equal(await r.createVersion(a), true);
      assert.equal(await r.createVersion(c), true);
      assert.equal(await r.createVersion({ ...a, notes: 'overwrite attempt', lineage: {} }), false);
      assert.deepStrictEqual(await r.getVersion('rv', '1.0.0'), a);
      assert.deepStrictEqual(await r.getVersion('rv', '1.1.0'), b);
      assert.equal(await r.getVersion('rv', '2.0.0'), null);
      assert.deepStrictEqual(await r.listVersions('rv'), [a, c, b]);
      assert.deepStrictEqual(await r.listVersions('nobody'), []);
    });

    test('every model\'s version targets and aliases in one read each, as the per-model reads give them', async () => {
      await r.createVersion(ver('all-b', '2.0.0', { createdAt: T0 + 5 }));
      await r.createVersion(ver('all-a', '1.1.0', { createdAt: T0 + 7 }));
      await r.createVersion(ver('all-a', '1.0.0', { createdAt: T0 + 7, upstream: 'http://127.0.0.1:1/a' }));
      await r.setAlias({ model: 'all-b', alias: 'staging', to: '2.0.0' }, dep('all-d1', 'all-b', { alias: 'staging', to: '2.0.0' }));
      await r.setAlias({ model: 'all-b', alias: 'production', to: '2.0.0' }, dep('all-d2', 'all-b', { to: '2.0.0' }));
      const all = (await r.versionTargets()).filter((v) => v.model.startsWith('all-'));
      // each version's upstream as the full records have it, ordered by model and version, nothing else
      const target = (v: RegistryVersionRecord): VersionTarget => ({ model: v.model, version: v.version, upstream: v.upstream });
      assert.deepStrictEqual(all, [...await r.listVersions('all-a'), ...await r.listVersions('all-b')].map(target));
      assert.deepStrictEqual(all, [
        { model: 'all-a', version: '1.0.0', upstream: 'http://127.0.0.1:1/a' }, { model: 'all-a', version: '1.1.0', upstream: null }, { model: 'all-b', version: '2.0.0', upstream: null },
      ]);
      assert.deepStrictEqual(await r.versionTargets('all-a'), all.slice(0, 2));
      assert.deepStrictEqual(await r.versionTargets('nobody'), []);
      assert.deepStrictEqual((await r.allAliases()).filter((a) => a.model.startsWith('all-')),
        [{ model: 'all-b', alias: 'production', version: '2.0.0' }, { model: 'all-b', alias: 'staging', version: '2.0.0' }]);
    });

    test('versions: only tags, notes and upstream change; the artifact is set once', async () => {
      await r.createVersion(ver('rv2', '1.0.0'));
      const u = await r.updateVersion('rv2', '1.0.0', { tags: ['x', 'y'], notes: 'retrained', upstream: 'http://h/p' });
      assert.deepStrictEqual(u, { ...ver('rv2', '1.0.0'), tags: ['x', 'y'], notes: 'retrained', upstream: 'http://h/p' });
      assert.deepStrictEqual(await r.getVersion('rv2', '1.0.0'), u);
      assert.deepStrictEqual(await r.updateVersion('rv2', '1.0.0', { notes: null }), { ...u, notes: null });
      assert.equal(await r.updateVersion('rv2', '9.9.9', { notes: 'x' }), null);
      const art = { sha256: 'cd'.repeat(32), size: 10, uri: `artifact:${'cd'.repeat(32)}` };
      assert.deepStrictEqual((await r.attachArtifact('rv2', '1.0.0', art))?.artifact, art);
      const other = { sha256: 'ef'.repeat(32), size: 11, uri: 's3://bucket/x' };
      assert.deepStrictEqual((await r.attachArtifact('rv2', '1.0.0', other))?.artifact, art, 'second artifact refused');
      assert.deepStrictEqual((await r.getVersion('rv2', '1.0.0'))?.artifact, art);
      assert.equal(await r.attachArtifact('rv2', '7.0.0', art), null);
    });

    test('aliases: set returns the previous target and records the deployment atomically', async () => {
      assert.deepStrictEqual(await r.aliases('al'), {});
      assert.equal(await r.setAlias({ model: 'al', alias: 'production', to: '1.0.0' }, dep('d1', 'al', { at: T0 + 1 })), null);
      assert.equal(await r.setAlias({ model: 'al', alias: 'staging', to: '2.0.0', expectFrom: null }, dep('d2', 'al', { at: T0 + 2, alias: 'staging', to: '2.0.0' })), null);
      assert.equal(await r.setAlias({ model: 'al', alias: 'production', to: '2.0.0', expectFrom: '1.0.0' },
        dep('d3', 'al', { at: T0 + 2, to: '2.0.0', kind: 'promote', reason: 'better auc' })), '1.0.0');
      assert.deepStrictEqual(await r.aliases('al'), { production: '2.0.0', staging: '2.0.0' });
      await assert.rejects(r.setAlias({ model: 'al', alias: 'production', to: '3.0.0', expectFrom: '1.0.0' }, dep('d4', 'al', { at: T0 + 3 })),
        (e: unknown) => e instanceof AliasConflictError && e.actual === '2.0.0');
      assert.equal(await r.setAlias({ model: 'al', alias: 'production', to: '2.0.0' }, dep('d5', 'al', { at: T0 + 4, to: '2.0.0' })), '2.0.0', 'already there: not recorded');
      assert.deepStrictEqual(await r.aliases('al'), { production: '2.0.0', staging: '2.0.0' });
      const ds = await r.deployments('al', 0, T0 + 100);
      assert.deepStrictEqual(ds.map((d) => [d.id, d.from, d.to, d.kind]), [['d1', null, '1.0.0', 'set'], ['d2', null, '2.0.0', 'set'], ['d3', '1.0.0', '2.0.0', 'promote']]);
      assert.deepStrictEqual(ds[2], dep('d3', 'al', { at: T0 + 2, from: '1.0.0', to: '2.0.0', kind: 'promote', reason: 'better auc' }));
      assert.deepStrictEqual((await r.deployments('al', T0 + 2, T0 + 3)).map((d) => d.id), ['d2', 'd3']);
      assert.deepStrictEqual(await r.deployments('other', 0, T0 + 100), []);
    });

    test('serving configuration and rollouts: put, get, list, update', async () => {
      assert.equal(await r.getServing('sv'), null);
      await r.putServing('sv', { timeoutMs: 100, fallback: [{ static: { prediction: 'no' } }] }, T0);
      await r.putServing('sv', { timeoutMs: 250 }, T0 + 1);
      await r.putServing('sa', { timeoutMs: 1 }, T0);
      assert.deepStrictEqual(await r.getServing('sv'), { timeoutMs: 250 });
      assert.deepStrictEqual((await r.listServing()).filter((x) => x.model.startsWith('s')).map((x) => x.model), ['sa', 'sv']);
      const ro = { id: 'ro1', model: 'sv', state: 'running', createdAt: T0, updatedAt: T0, data: { steps: [5, 25], weight: 5 } };
      await r.putRollout(ro);
      await r.putRollout({ id: 'ro2', model: 'sv', state: 'running', createdAt: T0 + 5, updatedAt: T0 + 5, data: {} });
      await r.putRollout({ ...ro, state: 'rolled_back', updatedAt: T0 + 9, data: { weight: 0 } });
      assert.deepStrictEqual(await r.getRollout('ro1'), { ...ro, state: 'rolled_back', updatedAt: T0 + 9, data: { weight: 0 } });
      assert.equal(await r.getRollout('nope'), null);
      assert.deepStrictEqual((await r.listRollouts('sv')).map((x) => x.id), ['ro2', 'ro1']);
      assert.ok((await r.listRollouts()).length >= 2);
    });

    test('a page of a model\'s rollouts: newest first (createdAt, then id, byte order), those before a rollout, limited', async () => {
      const put = (id: string, model: string, createdAt: number): Promise<void> => r.putRollout({ id, model, state: 'rolled_back', createdAt, updatedAt: createdAt, data: { id } });
      // same createdAt for B and a, c: ordered by id in byte order ('B' < 'a' < 'c'), as listRollouts does
      await put('pg-a', 'pg', T0 + 1);
      await put('pg-B', 'pg', T0 + 1);
      await put('pg-c', 'pg', T0 + 1);
      await put('pg-z', 'pg', T0);
      await put('pg-new', 'pg', T0 + 2);
      await put('pg-other', 'pg2', T0 + 1);
      const order = (await r.listRollouts('pg')).map((x) => x.id);
      assert.deepStrictEqual(order, ['pg-new', 'pg-c', 'pg-a', 'pg-B', 'pg-z']);
      assert.deepStrictEqual((await r.listRolloutPage('pg', 10)).map((x) => x.id), order);
      assert.deepStrictEqual((await r.listRolloutPage('pg', 2)).map((x) => x.id), ['pg-new', 'pg-c']);
      const page = await r.listRolloutPage('pg', 2, { createdAt: T0 + 1, id: 'pg-c' });
      assert.deepStrictEqual(page.map((x) => x.id), ['pg-a', 'pg-B']);
      assert.deepStrictEqual(page[0], { id: 'pg-a', model: 'pg', state: 'rolled_back', createdAt: T0 + 1, updatedAt: T0 + 1, data: { id: 'pg-a' } });
      assert.deepStrictEqual((await r.listRolloutPage('pg', 2, { createdAt: T0 + 1, id: 'pg-B' })).map((x) => x.id), ['pg-z']);
      assert.deepStrictEqual(await r.listRolloutPage('pg', 2, { createdAt: T0, id: 'pg-z' }), []);
      assert.deepStrictEqual(await r.listRolloutPage('nobody', 5), []);
      const latest = new Map((await r.latestRollouts()).map((x) => [x.model, x.id]));
      assert.equal(latest.get('pg'), 'pg-new');
      assert.equal(latest.get('pg2'), 'pg-other');
      assert.equal((await r.latestRollouts()).filter((x) => x.model === 'pg').length, 1);
    });

    test('pauses: pause and resume a model or a version, each change recorded as a deployment (a repeated one is a no-op)', async () => {
      assert.equal(await r.pause({ model: 'pz', version: '', at: T0, by: 'oncall', reason: 'incident' }, dep('p1', 'pz', { alias: '', to: '*', kind: 'pause' })), true);
      assert.equal(await r.pause({ model: 'pz', version: '2.0.0', at: T0 + 1, by: 'oncall', reason: 'bad' }, dep('p2', 'pz', { at: T0 + 1, alias: '', to: '2.0.0', kind: 'pause' })), true);
      assert.equal(await r.pause({ model: 'pz', version: '2.0.0', at: T0 + 2, by: 'other', reason: 'again' }, dep('p2b', 'pz', { at: T0 + 2, alias: '', to: '2.0.0', kind: 'pause' })), false);
      assert.deepStrictEqual((await r.listPauses()).filter((p) => p.model === 'pz').map((p) => p.version), ['', '2.0.0']);
      assert.equal(await r.resume('pz', '', dep('p3', 'pz', { at: T0 + 2, alias: '', to: '*', kind: 'resume' })), true);
      assert.equal(await r.resume('pz', '', dep('p4', 'pz', { at: T0 + 3, alias: '', to: '*', kind: 'resume' })), false);
      assert.deepStrictEqual((await r.listPauses()).filter((p) => p.model === 'pz'), [{ model: 'pz', version: '2.0.0', at: T0 + 1, by: 'oncall', reason: 'bad' }]);
      assert.deepStrictEqual((await r.deployments('pz', 0, T0 + 10)).map((d) => d.id), ['p1', 'p2', 'p3']);
    });

    test('text with U+0000 (notes, upstream, by, reason) is refused with NulInTextError, and nothing is written', async () => {
      const nul = 'a\u0000b';
      const refused = (field: string) => (e: unknown): boolean => e instanceof NulInTextError && e.field === field;
      await assert.rejects(r.createVersion(ver('nul', '1.0.0', { notes: nul })), refused('notes'));
      await assert.rejects(r.createVersion(ver('nul', '1.0.0', { upstream: `http://h/${nul}` })), refused('upstream'));
      await assert.rejects(r.createVersion(ver('nul', '1.0.0', { createdBy: nul })), refused('createdBy'));
      assert.deepStrictEqual(await r.listVersions('nul'), []);
      assert.equal(await r.createVersion(ver('nul', '1.0.0', { notes: 'kept' })), true);
      await assert.rejects(r.updateVersion('nul', '1.0.0', { notes: nul }), refused('notes'));
      await assert.rejects(r.updateVersion('nul', '1.0.0', { upstream: nul }), refused('upstream'));
      assert.equal((await r.getVersion('nul', '1.0.0'))?.notes, 'kept');
      await assert.rejects(r.setAlias({ model: 'nul', alias: 'production', to: '1.0.0' }, dep('n1', 'nul', { reason: nul })), refused('reason'));
      await assert.rejects(r.setAlias({ model: 'nul', alias: 'production', to: '1.0.0' }, dep('n2', 'nul', { by: nul })), refused('by'));
      await assert.rejects(r.recordDeployment(dep('n3', 'nul', { reason: nul })), refused('reason'));
      await assert.rejects(r.pause({ model: 'nul', version: '', at: T0, by: 'x', reason: nul }, dep('n4', 'nul', { kind: 'pause' })), refused('reason'));
      await assert.rejects(r.resume('nul', '', dep('n5', 'nul', { by: nul, kind: 'resume' })), refused('by'));
      assert.deepStrictEqual(await r.aliases('nul'), {});
      assert.deepStrictEqual(await r.deployments('nul', 0, T0 * 2), []);
      assert.deepStrictEqual((await r.listPauses()).filter((p) => p.model === 'nul'), []);
    });

    test('reopen: everything is still there', async () => {
      const before = { v: await r.listVersions('rv'), a: await r.aliases('al'), d: await r.deployments('al', 0, T0 * 2), s: await r.getServing('sv') };
      await store.close();
      store = await open();
      await store.init();
      r = store.registry();
      await r.init();
      assert.deepStrictEqual({ v: await r.listVersions('rv'), a: await r.aliases('al'), d: await r.deployments('al', 0, T0 * 2), s: await r.getServing('sv') }, before);
      await assert.rejects(store.close().then(() => r.aliases('al')), /closed/);
      store = await open();
    });
  });
}

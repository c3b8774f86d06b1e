import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.js';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { Receiver } from './helpers/receiver.js';
import { call, poster, testServer } from './helpers/server.js';

// retention.alertsDays: resolved alerts, notifications and automated actions were kept for ever. The risk in pruning
// them: a notification a restart reads (AlertPipeline.restore) deleted, its alert, still firing, is paged again.
const DAY = 86_400_000;
const MIN = 60_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

interface Alert { id: string; state: string; model: string; endsAt: number | null }

describe('audit11: retention.alertsDays prunes alert history', { timeout: 120_000 }, () => {
  test('config: an integer of days, 0.5 refused', () => {
    const dir = tempDir('lookout-a11ret-');
    writeFileSync(join(dir, 'lookout.yaml'), 'retention: { alertsDays: 30, evaluationsDays: 2 }\n');
    assert.deepEqual(loadConfig(join(dir, 'lookout.yaml')).retention, { alertsDays: 30, evaluationsDays: 2 });
    for (const bad of ['0.5', '0', '36501']) {
      writeFileSync(join(dir, 'bad.yaml'), `retention: { alertsDays: ${bad} }\n`);
      assert.throws(() => loadConfig(join(dir, 'bad.yaml')), /retention\.alertsDays/, bad);
    }
  });

  test('resolved alerts a week past their end go from GET /v1/alerts; an alert acknowledged for longer than alertsDays keeps its notification, and a restart does not page it again', async () => {
    const dataDir = tempDir('lookout-a11alerts-');
    const hook = await Receiver.start();
    let now = Date.UTC(2026, 0, 1, 10);
    let srv = null as Server | null;
    const start = async (): Promise<void> => {
      srv = await testServer({
        clock: () => now,
        configure: (c) => {
          c.dataDir = dataDir;
          c.retention = { alertsDays: 2 };
          c.alerting = { evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '4h', notifiers: [{ id: 'hook', kind: 'webhook', url: `${hook.url}/hook` }] };
        },
      });
    };
    const url = (): string => (srv as Server).url;
    const post = poster(url);
    const run = async (): Promise<void> => void await post('/v1/monitors/run', {});
    const alerts = async (): Promise<Alert[]> => (await call(url(), 'GET', '/v1/alerts')).body['alerts'] as Alert[];
    // each webhook delivery as model:status of its alerts
    const sent = (model: string): string[] => hook.received.map((m) => m.body as { alerts: Array<{ status: string; labels: Record<string, string> }> })
      .filter((b) => b.alerts.some((a) => a.labels['model'] === model)).map((b) => b.alerts.map((a) => a.status).join(','));
    try {
      await start();
      for (const name of ['churn', 'fraud']) await post('/v1/models', { name, outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      // fraud: raised, notified, acknowledged, and left firing for the 12 days below (its own group: model=fraud)
      const stuck = (await post('/v1/alerts', { source: 'feed', model: 'fraud', severity: 'warning', summary: 'feed stalled' }))['alert'] as Alert;
      now += 2 * MIN;
      await run();
      assert.deepEqual(sent('fraud'), ['firing']);
      await post(`/v1/alerts/${stuck.id}/ack`, { by: 'ann' });
      // churn: an alert a day, raised, notified, resolved an hour later, its resolve notified
      const ends: number[] = [];
      for (let d = 0; d < 12; d++) {
        const a = (await post('/v1/alerts', { source: 'nightly', model: 'churn', severity: 'warning', summary: `night ${d}` }))['alert'] as Alert;
        now += 2 * MIN;
        await run();
        now += 60 * MIN;
        await post(`/v1/alerts/${a.id}/resolve`, { by: 'bob' });
        ends.push(now);
        now += 6 * MIN;
        await run();
        now += DAY - 68 * MIN;
      }
      assert.equal(sent('churn').length, 24, 'each nightly alert firing, then resolved');
      assert.deepEqual(sent('fraud'), ['firing'], 'the acknowledged alert is not repeated');
      const before = await alerts();
      assert.equal(before.length, 13);

      const pruned = await (srv as Server).deps.retention?.run();
      // a resolved alert goes a week past its end (an owed resolve is retried that long), alertsDays (2) being shorter
      const gone = ends.filter((t) => t < now - 7 * DAY).length;
      assert.equal(gone, 5);
      assert.equal(pruned?.alerts, gone);
      const after = await alerts();
      const churn = before.filter((a) => a.model === 'churn').map((a) => a.id); // newest first
      assert.deepEqual(after.map((a) => a.id), [...churn.slice(0, 12 - gone), stuck.id]);
      assert.ok(after.filter((a) => a.model === 'churn').every((a) => (a.endsAt as number) >= now - 7 * DAY), 'the older ones went');
      assert.equal(after.find((a) => a.id === stuck.id)?.state, 'acknowledged', 'an active alert stays, however old');
      // the acknowledged alert fires since day 0: every notification from then on is read by a restart, so kept
      assert.equal(pruned?.notifications, 0);
      assert.equal(((await call(url(), 'GET', `/v1/notifications?from=${now - 20 * DAY}&to=${now}`)).body['notifications'] as unknown[]).length, 1 + 24);

      // started again on the same store: the acknowledged alert counts as notified, nothing is sent again
      await (srv as Server).close();
      await start();
      for (let i = 0; i < 12; i++) {
        now += 5 * MIN;
        await run();
      }
      assert.deepEqual(sent('fraud'), ['firing'], 'the acknowledged alert is not paged again after the restart');
      assert.equal(sent('churn').length, 24);

      // once it resolved, its resolve sent, the notifications older than a week (a restart's look-back) go too
      await post(`/v1/alerts/${stuck.id}/resolve`, { by: 'ann' });
      now += 6 * MIN;
      await run();
      assert.deepEqual(sent('fraud'), ['firing', 'resolved']);
      const again = await (srv as Server).deps.retention?.run();
      const notes = ((await call(url(), 'GET', `/v1/notifications?from=${now - 20 * DAY}&to=${now + 1}`)).body['notifications'] as Array<{ at: number }>);
      assert.ok(notes.every((n) => n.at >= now - 7 * DAY));
      assert.equal(again?.notifications, 1 + 24 + 1 - notes.length);
      assert.ok((again?.notifications ?? 0) >= 1 + 2 * 5, JSON.stringify(again));
      assert.match((await call(url(), 'GET', '/metrics')).body['raw'] as string, /# TYPE lookout_alert_history_pruned_total counter/);
    } finally {
      await srv?.close();
      await hook.close();
    }
  });
});

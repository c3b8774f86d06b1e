import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir, writeCsv } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { parsePrometheus } from './helpers/prometheus.js';
import { call, testServer } from './helpers/server.js';

describe('lookout report: the HTML file', () => {
  test('a report that cannot be written whole leaves the previous report as it was, and no half file', () => {
    // RLIMIT_FSIZE of 8 KiB (`ulimit -f 8`): the write of a report of ~30 KB fails part-way (EFBIG), as on a full disk.
    // It truncated the previous report and left the first 8 KiB of the new one: an HTML file cut mid-tag.
    const dir = tempDir('lookout-report-');
    const cols = (shift: number): Record<string, number[] | string[]> => ({
      ...Object.fromEntries(Array.from({ length: 4 }, (_, j) => [`n${j}`, Array.from({ length: 500 }, (_, i) => ((i * 7919 + j * 31) % 1000) / 10 + shift)])),
      plan: Array.from({ length: 500 }, (_, i) => ['basic', 'plus', 'pro'][i % 3] as string),
    });
    writeCsv(join(dir, 'ref.csv'), cols(0));
    writeCsv(join(dir, 'cur.csv'), cols(5));
    const out = join(dir, 'report.html');
    writeFileSync(out, 'the previous report\n');
    const bin = join(process.cwd(), 'bin', 'lookout.js');
    const r = spawnSync('/bin/sh', ['-c', `ulimit -f 8 && exec "${process.execPath}" "${bin}" report --reference ref.csv --current cur.csv --out report.html`], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /cannot write report\.html/);
    const kept = readFileSync(out, 'utf8');
    assert.equal(kept.length < 100 ? kept : `${kept.length} bytes ending ${JSON.stringify(kept.slice(-40))}`, 'the previous report\n');
    assert.deepEqual(readdirSync(dir).sort(), ['cur.csv', 'ref.csv', 'report.html'], 'no temporary file left');
    // Without the limit, the same command replaces the report with a whole one.
    const ok = spawnSync(process.execPath, [bin, 'report', '--reference', 'ref.csv', '--current', 'cur.csv', '--out', 'report.html'], { cwd: dir, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const html = readFileSync(out, 'utf8');
    assert.ok(html.startsWith('<!doctype html>') && html.endsWith('</html>\n'), html.slice(-100));
    assert.deepEqual(readdirSync(dir).sort(), ['cur.csv', 'ref.csv', 'report.html']);
  });
});

describe('lookout serve --demo on a data dir', () => {
  test('a demo fill that was interrupted is not served as the demo: a second --demo refuses with how to start again', async () => {
    // The fill takes tens of seconds; stopped in the middle (Ctrl-C, a kill), the store kept the models and part of the
    // traffic. The next `serve --demo` said "the store already has models, not adding demo data" and served a demo
    // without monitors, alerts, registry history and most of its 30 days, with nothing to say it was incomplete.
    const dir = tempDir('lookout-demo-cut-');
    const bin = join(process.cwd(), 'bin', 'lookout.js');
    const first = spawn(process.execPath, [bin, 'serve', '--demo', '--port', '0', '--quiet', '--data-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      first.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/demo: models churn@1\.0\.0 and eta@2\.1\.0 declared/.test(err)) {
          first.kill('SIGKILL');
          resolve();
        }
      });
      first.once('exit', () => reject(new Error(`the demo server ended before declaring its models:\n${err}`)));
    });
    await new Promise((resolve) => first.once('exit', resolve));
    assert.doesNotMatch(err, /listening on/, 'killed during the fill');
    const second = await spawnServe(['--demo', '--data-dir', dir]).then(async (s) => {
      await s.stop('SIGTERM');
      return `served: ${s.stderr()}`;
    }, (e: Error) => e.message);
    assert.match(second, /exited with 2 before listening/);
    assert.match(second, /demo data .*incomplete/);
    assert.ok(second.includes(dir), second);
    // Without --demo the store is served as it is (the user's choice).
    const plain = await spawnServe(['--data-dir', dir]);
    assert.equal(await plain.stop('SIGTERM'), 0);
  });
});

describe('Prometheus /metrics', () => {
  test('a retried batch\'s events, answered rejected (duplicate_id), are counted in lookout_events_rejected_total; the exposition parses strictly', async () => {
    // The API answered them `rejected` with code duplicate_id (an event with this id is already stored), but
    // lookout_events_rejected_total did not count them, while it counted the same code for an id twice in one batch:
    // a client retrying whole batches looked like a client that sent nothing wrong.
    const srv = await testServer();
    try {
      const base = srv.url;
      assert.equal((await call(base, 'POST', '/v1/models', { name: 'm.retry-1', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { a: { type: 'number' } } } })).status, 201);
      assert.equal((await call(base, 'POST', '/v1/models/m.retry-1/versions', { version: '1' })).status, 201);
      const batch = { events: [1, 2, 3].map((i) => ({ id: `e${i}`, model: 'm.retry-1', version: '1', features: { a: i }, prediction: '1' })) };
      assert.equal((await call(base, 'POST', '/v1/events', batch)).body['accepted'], 3);
      const retry = await call(base, 'POST', '/v1/events', { events: [...batch.events, { id: 'e4', model: 'm.retry-1', version: '1', features: { a: 4 }, prediction: '1' }] });
      assert.deepEqual([retry.body['accepted'], retry.body['rejected']], [1, 3]);
      const twice = await call(base, 'POST', '/v1/events', { events: [{ id: 'e5', model: 'm.retry-1', version: '1', features: { a: 5 }, prediction: '0' }, { id: 'e5', model: 'm.retry-1', version: '1', features: { a: 5 }, prediction: '0' }] });
      assert.deepEqual([twice.body['accepted'], twice.body['rejected']], [1, 1]);
      await call(base, 'POST', '/v1/events', { events: [{ model: 'no-such-model', version: '1', features: {}, prediction: '1' }] });

      const res = await fetch(`${base}/metrics`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const families = parsePrometheus(await res.text());
      const value = (name: string, labels: Record<string, string>): number | undefined => [...families.values()].flatMap((f) => f.samples)
        .find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()))?.value;
      assert.equal(value('lookout_events_accepted_total', { model: 'm.retry-1' }), 5);
      assert.equal(value('lookout_events_rejected_total', { model: 'm.retry-1', code: 'duplicate_id' }), 4, 'three from the retried batch, one twice in a batch');
      assert.equal(value('lookout_events_rejected_total', { model: '(unknown)', code: 'unknown_model' }), 1);
      // prom-client's process metrics under lookout_ once (they were lookout_process_process_cpu_seconds_total and the like)
      assert.ok(families.has('lookout_process_cpu_seconds_total') && families.has('lookout_nodejs_eventloop_lag_max_seconds'), [...families.keys()].join(' '));
      assert.deepEqual([...families.keys()].filter((n) => /process_process|process_nodejs/.test(n)), []);
      // Naming (Lookout's own families): counters end in _total, nothing else does; durations in seconds, sizes in bytes.
      for (const f of families.values()) {
        if (!f.name.startsWith('lookout_') || /^lookout_(process|nodejs)_/.test(f.name)) continue; // prom-client's own
        assert.ok(f.help.length > 0, `${f.name} has a HELP`);
        assert.equal(f.type === 'counter', f.name.endsWith('_total'), `${f.name} (${f.type})`);
        if (f.type === 'histogram') assert.match(f.name, /_seconds$/);
        if (/memory/.test(f.name)) assert.match(f.name, /_bytes$/);
      }
    } finally {
      await srv.close();
    }
  });
});

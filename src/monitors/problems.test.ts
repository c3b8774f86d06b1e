import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMonitor } from './definition.js';
import { reloadMonitor, reloadSlo } from './problems.js';
import { parseSlo } from './slo.js';

// Regression (audit 11): monitors and SLOs refuse a runbookUrl that is not an http(s) URL since 2026-12; one stored by
// an earlier release with such a link (a relative "runbooks/x") became "invalid" at the upgrade and was no longer
// evaluated. The link is dropped instead, and the monitor goes on.
const monitor = { model: 'm', metric: 'throughput', direction: 'above', window: '150m', levels: [{ severity: 'warning', threshold: 1 }], minSamples: 1 };
const slo = { model: 'm', name: 'avail', kind: 'availability', objective: 0.99 };
const stored = (def: object, runbookUrl: string): Record<string, unknown> => ({ ...JSON.parse(JSON.stringify(def)) as Record<string, unknown>, runbookUrl });

test('audit 11: a stored monitor or SLO with an old non-http runbookUrl is still valid, without the link; an http(s) one is kept', () => {
  const m = parseMonitor(monitor, () => 'mon-1');
  const s = parseSlo(slo, () => 'slo-1');
  for (const url of ['runbooks/x', 'javascript:alert(1)', 'wiki page']) {
    const rm = reloadMonitor(stored(m, url));
    assert.equal(rm.problem, null, `${url}: ${JSON.stringify(rm.problem)}`);
    assert.equal(rm.def.runbookUrl, undefined);
    assert.equal(rm.def.id, 'mon-1');
    const rs = reloadSlo(stored(s, url));
    assert.equal(rs.problem, null, `${url}: ${JSON.stringify(rs.problem)}`);
    assert.equal(rs.def.runbookUrl, undefined);
  }
  assert.equal(reloadMonitor(stored(m, 'https://wiki.example/rb')).def.runbookUrl, 'https://wiki.example/rb');
  assert.equal(reloadSlo(stored(s, 'http://wiki.example/rb')).def.runbookUrl, 'http://wiki.example/rb');
  // any other invalid stored field still makes it invalid
  assert.equal(reloadMonitor({ ...stored(m, 'https://x.example'), direction: 'sideways' }).problem?.code, 'invalid');
});

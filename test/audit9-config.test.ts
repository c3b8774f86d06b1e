import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lookoutAsync, tempDir } from './helpers/cli.js';

/** A lookout.yaml in a fresh dir (its data dir beside it) holding `body`; returns its path and the data dir. */
function configFile(body: string): { path: string; dataDir: string } {
  const dir = tempDir('lookout-audit9-config-');
  const dataDir = join(dir, 'data');
  const path = join(dir, 'lookout.yaml');
  writeFileSync(path, `dataDir: ${dataDir}\nserver: { port: 0 }\n${body}\n`);
  return { path, dataDir };
}

const churn = `
  - name: churn
    outputKind: binary
    classes: ["0", "1"]
    inputSchema: { type: object, properties: { x: { type: number } } }
    versions: [{ version: "1" }]`;

describe('issue 3: lookout.yaml', { timeout: 180_000 }, () => {
  test('issue 3: a monitor or SLO of lookout.yaml without an id is refused (each start added another copy under a new id)', async () => {
    for (const [section, item, message] of [
      ['monitors', '{ model: churn, metric: errorRate, levels: [{ severity: page, threshold: 0.1 }] }', /monitors\[1\] needs an "id"/],
      ['slos', '{ model: churn, kind: availability, objective: 0.99 }', /slos\[1\] needs an "id"/],
    ] as const) {
      const withId = section === 'monitors' ? '{ id: err, model: churn, metric: errorRate, levels: [{ severity: page, threshold: 0.1 }] }' : '{ id: av, model: churn, kind: availability, objective: 0.99 }';
      const { path } = configFile(`models:${churn}\n${section}:\n  - ${withId}\n  - ${item}`);
      const r = await lookoutAsync(['serve', '--config', path, '--port', '0'], 20_000);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trim(), message);
      assert.match(r.stderr, /lookout\.yaml/);
    }
  });
});

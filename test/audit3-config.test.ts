import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lookoutAsync, tempDir } from './helpers/cli.js';

/** A lookout.yaml with one model and the given extra YAML (top-level sections). */
const yaml = (dir: string, extra: string): string => `
dataDir: ${dir}/data
server: { port: 0 }
models:
  - name: churn
    outputKind: binary
    classes: ["0", "1"]
    inputSchema: { type: object, properties: { x: { type: number } } }
    versions: [{ version: "1" }]
${extra}
`;

/** `lookout serve` on that config: must stop before serving, exit 2, with one line on stderr matching `message`. */
async function refused(extra: string, message: RegExp): Promise<void> {
  const dir = tempDir('lookout-audit3-config-');
  const path = join(dir, 'lookout.yaml');
  writeFileSync(path, yaml(dir, extra));
  const r = await lookoutAsync(['serve', '--config', path, '--port', '0'], 20_000);
  assert.equal(r.code, 2, `${extra}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] ?? '', message);
}

describe('audit 3 (config): a typo or a wrong type in lookout.yaml stops `lookout serve` naming the key (exit 2)', { timeout: 120_000 }, () => {
  test("a notifier's own key misspelt (secrett: the webhook went out unsigned) is refused with the kind's known keys", async () => {
    await refused(
      'alerting:\n  notifiers: [{ id: ops, kind: webhook, url: "http://127.0.0.1:9/hook", secrett: s3cret }]',
      /invalid config \(alerting\): alerting\.notifiers\[0\]\.secrett is unknown \(notifier "ops", kind webhook; known keys: url, secret, id, kind, matchers, minSeverity, sendResolved, retries, backoffMs, timeoutMs, resendInterval\)/,
    );
  });
});

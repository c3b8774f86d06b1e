import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freshBundle, MANIFEST } from './bundle-fresh.js';

/** A package root with dist/src/a.js, dist/src/b.js and a bundle built from them; src/ beside dist/ unless `installed`. */
function pkg(installed = false): { root: string; bundle: string; close: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'lookout-bundle-'));
  mkdirSync(join(root, 'dist/src'), { recursive: true });
  if (!installed) mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'dist/bundle'));
  const inputs: Array<[string, number]> = [];
  let newestMs = 0;
  for (const f of ['dist/src/a.js', 'dist/src/b.js']) {
    writeFileSync(join(root, f), `export const x = '${f}';\n`);
    const st = statSync(join(root, f));
    inputs.push([f, st.size]);
    newestMs = Math.max(newestMs, st.mtimeMs);
  }
  writeFileSync(join(root, 'dist/bundle/lookout.js'), '');
  writeFileSync(join(root, 'dist/bundle', MANIFEST), JSON.stringify({ entry: 'lookout.js', newestMs, inputs }));
  return { root, bundle: join(root, 'dist/bundle'), close: () => rmSync(root, { recursive: true, force: true }) };
}

test('the bundle is run while every module it was built from is as it was, or older', () => {
  const p = pkg();
  try {
    assert.equal(freshBundle(p.bundle), join(p.bundle, 'lookout.js'));
    const old = new Date('1985-10-26T08:15:00Z');
    for (const f of ['dist/src/a.js', 'dist/src/b.js']) utimesSync(join(p.root, f), old, old);
    assert.equal(freshBundle(p.bundle), join(p.bundle, 'lookout.js'));
  } finally {
    p.close();
  }
});

test('an installed package (no src/ beside dist/): npm dates every file when it extracts it, after the build; same sizes is fresh', () => {
  // found with `npm pack` and an install: every module was newer than the bundle's newest input, so it was never run
  const p = pkg(true);
  try {
    const extracted = new Date(Date.now() + 60_000);
    for (const f of ['dist/src/a.js', 'dist/src/b.js']) utimesSync(join(p.root, f), extracted, extracted);
    assert.equal(freshBundle(p.bundle), join(p.bundle, 'lookout.js'));
    writeFileSync(join(p.root, 'dist/src/b.js'), 'export const x = 1;\n');
    assert.equal(freshBundle(p.bundle), null, 'another size');
  } finally {
    p.close();
  }
});

test('a module written since (a later mtime, or another size), or gone, makes the bundle stale', () => {
  for (const change of ['mtime', 'size', 'gone'] as const) {
    const p = pkg();
    try {
      const f = join(p.root, 'dist/src/b.js');
      if (change === 'mtime') utimesSync(f, new Date(), new Date(Date.now() + 5_000));
      else if (change === 'size') writeFileSync(f, 'export const x = 1;\n');
      else rmSync(f);
      assert.equal(freshBundle(p.bundle), null, change);
    } finally {
      p.close();
    }
  }
});

test('no manifest, one that is not JSON, or one of another format: no bundle', () => {
  const p = pkg();
  try {
    writeFileSync(join(p.bundle, MANIFEST), '{"entry":');
    assert.equal(freshBundle(p.bundle), null);
    // the first format (each input's own mtime, no newestMs) would have compared every mtime with undefined: fresh for ever
    writeFileSync(join(p.bundle, MANIFEST), JSON.stringify({ entry: 'lookout.js', inputs: [['dist/src/a.js', 25, 0]] }));
    assert.equal(freshBundle(p.bundle), null);
    rmSync(join(p.bundle, MANIFEST));
    assert.equal(freshBundle(p.bundle), null);
    assert.equal(freshBundle(join(p.root, 'nowhere')), null);
  } finally {
    p.close();
  }
});

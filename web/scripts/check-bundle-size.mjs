#!/usr/bin/env node
/**
 * Fails the build when the JavaScript the first page needs (the entry chunk plus every chunk it
 * imports statically) is larger than the budget, gzipped. Lazy routes (the editor) do not count.
 * Reads Vite's manifest (`build.manifest: true`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 400;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));

const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
if (entries.length === 0) {
  console.error('check-bundle-size: no entry chunk in the Vite manifest');
  process.exit(1);
}

const seen = new Set();
const visit = (key) => {
  if (seen.has(key)) return;
  seen.add(key);
  for (const next of manifest[key]?.imports ?? []) visit(next);
};
for (const [key] of entries) visit(key);

let total = 0;
for (const key of seen) {
  const file = manifest[key].file;
  if (!file.endsWith('.js')) continue;
  const size = gzipSync(readFileSync(join(dist, file))).length;
  total += size;
  console.log(`  ${file}  ${(size / 1024).toFixed(1)} KiB gzipped`);
}
const kb = total / 1024;
console.log(`Initial JS: ${kb.toFixed(1)} KiB gzipped (budget ${BUDGET_KB} KiB)`);
if (kb > BUDGET_KB) {
  console.error(`check-bundle-size: initial JS exceeds ${BUDGET_KB} KiB gzipped`);
  process.exit(1);
}

#!/usr/bin/env node
// `npm run bench -- <name>`: compile src/ and bench/ to dist-bench/, then run the named benchmark.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2];
if (!name) {
  console.error('usage: npm run bench -- <name>   (a file bench/<name>.ts)');
  process.exit(2);
}
if (!existsSync(join(root, 'bench', `${name}.ts`))) {
  console.error(`no benchmark bench/${name}.ts`);
  process.exit(2);
}
execFileSync(
  process.execPath,
  [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.bench.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
execFileSync(process.execPath, [join(root, 'dist-bench', 'bench', `${name}.js`), ...process.argv.slice(3)], {
  cwd: root,
  stdio: 'inherit',
});

#!/usr/bin/env node
// Entry point of the `pipelit` command. The TypeScript sources are compiled to dist/ by `npm install`
// (the `prepare` script) or `npm run build`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'index.js');
if (!existsSync(entry)) {
  console.error(
    'pipelit: dist/ is missing. Run `npm install` (or `npm run build`) in the project folder first.',
  );
  process.exit(1);
}
const { main } = await import(entry);
await main(process.argv);

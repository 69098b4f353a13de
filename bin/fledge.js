#!/usr/bin/env node
// Entry for `fledge` and `kubectl fledge`. It runs the compiled dist/ when there is one (the npm
// package, the image, a checkout after `npm run build`) — unless src/ changed after that build,
// so a checkout never runs stale code — and otherwise the TypeScript sources through tsx (a dev
// dependency), so a checkout needs no build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'main.js');
const source = join(root, 'src', 'main.ts');

/** The newest modification time of any file under `dir`, in ms. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

const built = existsSync(compiled);
if (built && (!existsSync(source) || newest(join(root, 'src')) <= statSync(compiled).mtimeMs)) {
  await import(pathToFileURL(compiled).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    register = undefined;
  }
  if (register !== undefined) {
    register();
    await import(pathToFileURL(source).href);
  } else if (built) {
    await import(pathToFileURL(compiled).href);
  } else {
    console.error('fledge: neither dist/ (npm run build) nor tsx (npm ci, with dev dependencies) is installed to run src/');
    process.exit(1);
  }
}

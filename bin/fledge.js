#!/usr/bin/env node
// Entry for `fledge` and `kubectl fledge`. In a checkout it runs the TypeScript sources
// through tsx (a runtime dependency); an image that ships only the build runs dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'main.ts');
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(join(root, 'dist', 'main.js')).href);
}

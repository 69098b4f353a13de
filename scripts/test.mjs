// `npm test`: every test file under test/ through node:test (TypeScript via tsx), with
// branch coverage of the pure core reported and held at >= 95%.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : find('test').sort();
const c8 = [
  'c8', '--all', '--src', 'src/core', '--include', 'src/core/**', '--exclude', 'test/**',
  '--check-coverage', '--branches', '95', '--reporter', 'text', '--reporter', 'text-summary',
];
const node = ['node', '--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files];
const args = only.length > 0 ? node : [...c8, ...node];
const result = spawnSync('npx', ['--no-install', ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);

// `npm test`: every test file under test/ through node:test (TypeScript via tsx), with
// branch coverage of the pure core reported and held at >= 95%.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : find('test').sort();
// A private temp dir: concurrent runs in one checkout must not clobber each other's coverage.
const scratch = mkdtempSync(join(tmpdir(), 'fledge-c8-'));
const c8 = [
  'c8', '--temp-directory', join(scratch, 'tmp'), '--report-dir', join(scratch, 'report'),
  '--all', '--src', 'src/core', '--include', 'src/core/**',
  // Type-only modules have no code to cover.
  '--exclude', 'src/core/types.ts', '--exclude', 'src/core/state.ts',
  '--check-coverage', '--branches', '95', '--reporter', 'text', '--reporter', 'text-summary',
];
const node = ['node', '--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files];
const args = only.length > 0 ? node : [...c8, ...node];
const result = spawnSync('npx', ['--no-install', ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);

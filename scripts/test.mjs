// `npm test`: every test file under test/ through node:test (TypeScript via tsx), with
// branch coverage of the pure core reported and held at >= 95%.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
const node = ['node', '--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files];
if (only.length > 0) {
  const result = spawnSync('npx', ['--no-install', ...node], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
// A private temp dir: concurrent runs in one checkout must not clobber each other's coverage. The
// raw coverage of a whole run is about 1.5 GB, so it goes when the run ends, whatever its outcome.
const scratch = mkdtempSync(join(tmpdir(), 'fledge-c8-'));
const c8 = [
  'c8', '--temp-directory', join(scratch, 'tmp'), '--report-dir', join(scratch, 'report'),
  '--all', '--src', 'src/core', '--include', 'src/core/**',
  // Type-only modules have no code to cover.
  '--exclude', 'src/core/types.ts', '--exclude', 'src/core/state.ts',
  '--check-coverage', '--branches', '95', '--reporter', 'text', '--reporter', 'text-summary',
];
const result = spawnSync('npx', ['--no-install', ...c8, ...node], { stdio: 'inherit' });
rmSync(scratch, { recursive: true, force: true });
process.exit(result.status ?? 1);

// What `npm pack` ships: built into a scratch copy (the checkout's dist/ is never touched), packed,
// installed with production dependencies only — offline, from the lock and npm's cache, as the
// image and the Krew archive are — and run: `fledge --help` and `fledge validate` from dist/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { root } from './support.ts';

const run = promisify(execFile);

interface Packed { filename: string; files: Array<{ path: string }> }

async function npm(args: readonly string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', [...args, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd, timeout: 300_000, maxBuffer: 16 << 20 });
  return stdout;
}

async function pack(cwd: string, extra: readonly string[] = []): Promise<Packed> {
  const [packed] = JSON.parse(await npm(['pack', '--json', ...extra], cwd)) as Packed[];
  assert.ok(packed !== undefined);
  return packed;
}

describe('the npm package', { timeout: 600_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fledge-pack-'));
  const stage = join(scratch, 'stage');
  const installed = join(scratch, 'installed', 'package');
  let listed: string[] = [];
  let shipped: string[] = [];

  before(async () => {
    // The checkout's file list (package.json `files`), copied to a stage that gets its own dist/.
    listed = (await pack(root, ['--dry-run'])).files.map((f) => f.path);
    for (const path of listed) {
      mkdirSync(dirname(join(stage, path)), { recursive: true });
      copyFileSync(join(root, path), join(stage, path));
    }
    await run(process.execPath, [join(root, 'scripts/build.mjs'), '--outdir', join(stage, 'dist')], { cwd: root, timeout: 300_000 });
    const packed = await pack(stage, ['--pack-destination', scratch]);
    shipped = packed.files.map((f) => f.path);
    mkdirSync(dirname(installed), { recursive: true });
    await run('tar', ['-xzf', join(scratch, packed.filename), '-C', dirname(installed)]);
    copyFileSync(join(root, 'package-lock.json'), join(installed, 'package-lock.json'));
    await npm(['ci', '--omit=dev', '--offline'], installed);
  });

  after(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  test('ships bin, dist, analysis, strategies and the CRDs — no TypeScript sources, tests or tooling', () => {
    for (const path of ['package.json', 'README.md', 'bin/fledge.js', 'dist/main.js', 'dist/main.js.map', 'analysis/linkerd.yaml', 'deploy/crds/canary.yaml']) {
      assert.ok(shipped.includes(path), `${path} is in the tarball`);
    }
    assert.ok(shipped.some((p) => p.startsWith('strategies/')));
    for (const path of shipped) assert.doesNotMatch(path, /^(src|test|bench|scripts|docs|\.ci)\/|\.ts$|^tsconfig|^eslint/, `${path} is not shipped`);
    assert.ok(!listed.some((p) => p.startsWith('src/')), 'the checkout would not pack src/ either');
  });

  test('installs the chart library the dashboard serves and reports inline (uplot), and dist/ finds it', async () => {
    assert.ok(readdirSync(join(installed, 'node_modules')).includes('uplot'));
    // The bundle reads uPlot's files at run time (not bundled): resolved from dist/, as chartAssets does.
    const dist = join(installed, 'dist');
    const chunks = readdirSync(dist).filter((name) => name.endsWith('.js'));
    assert.ok(chunks.some((name) => readFileSync(join(dist, name), 'utf8').includes('uplot/dist/uPlot.iife.min.js')), 'the bundle names uPlot\'s file');
    const main = pathToFileURL(join(dist, 'main.js')).href;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `import { createRequire } from 'node:module'; import { readFileSync } from 'node:fs'; console.log(readFileSync(createRequire(${JSON.stringify(main)}).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8').length)`]);
    assert.ok(Number(stdout) > 10_000, `uPlot read from the installed package (${stdout.trim()} characters)`);
  });

  test('is a bundle: a few MB in all, without the whole generated client of @kubernetes/client-node', () => {
    const dist = join(installed, 'dist');
    const bytes = readdirSync(dist).filter((name) => name.endsWith('.js')).reduce((sum, name) => sum + statSync(join(dist, name)).size, 0);
    assert.ok(bytes < 12 * 2 ** 20, `dist/ holds ${(bytes / 2 ** 20).toFixed(1)} MiB of JavaScript`);
    assert.ok(!readdirSync(dist).includes('controller'), 'no per-module tree');
  });

  test('installs without dev dependencies: no tsx, no TypeScript', () => {
    const modules = readdirSync(join(installed, 'node_modules'));
    for (const dev of ['tsx', 'typescript', 'eslint', 'c8', 'puppeteer-core']) assert.ok(!modules.includes(dev), `${dev} is not installed`);
    assert.ok(modules.includes('yaml') && modules.includes('zod'));
    assert.ok(!existsSync(join(installed, 'src')));
  });

  test('runs fledge --help and fledge --version from dist/', async () => {
    const help = await run(process.execPath, [join(installed, 'bin/fledge.js'), '--help'], { timeout: 60_000 });
    assert.match(help.stdout, /^fledge — progressive delivery for Kubernetes/);
    assert.match(help.stdout, /completion/);
    const version = await run(process.execPath, [join(installed, 'bin/fledge.js'), '--version'], { timeout: 60_000 });
    assert.match(version.stdout, /^fledge \d+\.\d+\.\d+/);
  });

  test('validates the example app with the analysis/ and strategies/ catalogs it ships', async () => {
    const { stdout } = await run(process.execPath, [join(installed, 'bin/fledge.js'), 'validate', '-f', join(root, 'deploy/examples/podinfo.yaml')], { timeout: 60_000 });
    assert.match(stdout, /^deployment\/podinfo: ok \(strategy \w+/m);
  });
});

describe('bin/fledge.js', () => {
  /** A package layout whose entries print which one ran; `dist` and `src` are their mtimes (s). */
  async function whichRuns(t: { after(fn: () => void): void }, layout: { dist?: number; src?: number; tsx: boolean }): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'fledge-bin-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(root, 'bin/fledge.js'), join(dir, 'bin/fledge.js'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const stub = (path: string, text: string, seconds: number): void => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), `console.log(${JSON.stringify(text)});\n`);
      utimesSync(join(dir, path), seconds, seconds);
    };
    if (layout.dist !== undefined) stub('dist/main.js', 'dist', layout.dist);
    if (layout.src !== undefined) stub('src/main.ts', 'src', layout.src);
    if (layout.tsx) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const { stdout } = await run(process.execPath, [join(dir, 'bin/fledge.js')], { timeout: 60_000 });
    return stdout.trim();
  }

  test('runs dist/ when there is no src/ (the package, the image)', async (t) => {
    assert.equal(await whichRuns(t, { dist: 1000, tsx: false }), 'dist');
  });

  test('runs src/ through tsx in a checkout without a build', async (t) => {
    assert.equal(await whichRuns(t, { src: 1000, tsx: true }), 'src');
  });

  test('runs dist/ in a checkout built after its last change, and src/ once a source file is newer than the build', async (t) => {
    assert.equal(await whichRuns(t, { src: 1000, dist: 2000, tsx: true }), 'dist');
    assert.equal(await whichRuns(t, { src: 3000, dist: 2000, tsx: true }), 'src');
  });

  test('falls back to dist/ when tsx is not installed', async (t) => {
    assert.equal(await whichRuns(t, { src: 3000, dist: 2000, tsx: false }), 'dist');
  });
});

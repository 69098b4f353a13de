// deploy/Dockerfile read as text (no container engine here): two stages, production
// dependencies only in the image, a non-root user, and every copied path present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { find, kubectlPath, render, root } from './support.ts';

interface Stage { from: string; lines: string[] }

function stages(text: string): Stage[] {
  const result: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/^FROM\s/i.test(line)) result.push({ from: line, lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

const dockerfile = stages(readFileSync(join(root, 'deploy/Dockerfile'), 'utf8'));
const final = dockerfile.at(-1)!;

test('the image is built in two stages: the build stage compiles, the final one installs production dependencies only', () => {
  assert.equal(dockerfile.length, 2);
  assert.match(dockerfile[0]!.from, /^FROM node:20\S* AS build$/);
  assert.ok(dockerfile[0]!.lines.includes('RUN npm run build'));
  assert.match(final.from, /^FROM node:20/);
  const installs = final.lines.filter((l) => /npm (ci|install)/.test(l));
  assert.equal(installs.length, 1);
  assert.match(installs[0]!, /^RUN npm ci --omit=dev\b/);
  assert.ok(final.lines.includes('COPY --from=build /src/dist ./dist'));
  assert.ok(!final.lines.some((l) => /^COPY (\.\/)?src\b/.test(l)), 'no TypeScript sources in the image: bin/fledge.js runs dist/');
});

test('the final stage runs bin/fledge.js controller as a numeric non-root user', () => {
  const user = final.lines.find((l) => l.startsWith('USER '));
  assert.ok(user !== undefined);
  const [uid] = user.slice('USER '.length).split(':');
  assert.ok(Number(uid) > 0, `USER ${uid} is a non-root number`);
  assert.ok(final.lines.includes('ENTRYPOINT ["node", "bin/fledge.js"]'));
  assert.ok(final.lines.includes('CMD ["controller"]'));
});

test('every path the Dockerfile copies from the build context exists, and bin/fledge.js falls back to dist/', () => {
  const copies = dockerfile.flatMap((s) => s.lines).filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
  const sources = copies.flatMap((l) => l.split(/\s+/).slice(1, -1));
  assert.ok(sources.length >= 8);
  for (const source of sources) assert.ok(existsSync(join(root, source)), `${source} exists`);
  for (const needed of ['bin', 'analysis', 'strategies', 'package.json', 'package-lock.json']) assert.ok(sources.includes(needed), `the image gets ${needed}`);
  assert.match(readFileSync(join(root, 'bin/fledge.js'), 'utf8'), /dist', 'main\.js'/);
});

test('the build context leaves out node_modules, .git and build output', () => {
  const ignored = readFileSync(join(root, 'deploy/Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const entry of ['node_modules', '.git', 'dist', 'coverage']) assert.ok(ignored.includes(entry), entry);
});

test('the Deployment runs the image user the Dockerfile declares', { skip: kubectlPath === undefined }, async () => {
  const uid = Number(final.lines.find((l) => l.startsWith('USER '))!.slice('USER '.length).split(':')[0]);
  const deployment = find(await render('deploy'), 'Deployment', 'fledge-controller');
  assert.equal(deployment['spec'].template.spec.securityContext.runAsUser, uid);
});

test('the Deployment\'s command is the image\'s entrypoint with Node flags this Node accepts, and it runs the CLI with its NODE_OPTIONS', { skip: kubectlPath === undefined }, async () => {
  const deployment = find(await render('deploy'), 'Deployment', 'fledge-controller');
  const container = (deployment['spec'].template.spec.containers as Array<{ name: string; command?: string[]; env?: Array<{ name: string; value?: string }> }>).find((c) => c.name === 'controller')!;
  const command = container.command ?? [];
  const entrypoint = JSON.parse(final.lines.find((l) => l.startsWith('ENTRYPOINT '))!.slice('ENTRYPOINT '.length)) as string[];
  assert.equal(command[0], entrypoint[0], 'the same program');
  assert.deepEqual(command.slice(-(entrypoint.length - 1)), entrypoint.slice(1), 'the image\'s entry, after the flags');
  // Run from the package root, where the image's WORKDIR puts bin/: a flag this Node refused (in the command or NODE_OPTIONS) would exit non-zero.
  const nodeOptions = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
  const run = spawnSync(process.execPath, [...command.slice(1), '--version'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions } });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /\d+\.\d+\.\d+/);
});

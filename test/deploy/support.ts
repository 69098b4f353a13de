// Shared by the deploy/ tests: render a kustomization with the real kubectl, find objects in
// the render, and run `fledge emulator` as a child process for `kubectl apply`.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { waitForEmulatorUrl } from '../support/emulator.ts';

const run = promisify(execFile);

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
if (kubectlPath === undefined) console.error('\n*** kubectl NOT FOUND: the deploy/ render and apply tests are SKIPPED ***\n');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

/** `kubectl kustomize DIR` (DIR relative to the repository root), parsed. */
export async function render(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run(kubectlPath!, ['kustomize', join(root, dir)], { timeout: 60_000, maxBuffer: 16 << 20 });
  return parseAllDocuments(stdout).map((doc) => doc.toJSON() as K8sObject).filter((o) => o !== null);
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind}/${name} in the render (saw ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  return found;
}

export function ofKind(objects: readonly K8sObject[], ...kinds: string[]): K8sObject[] {
  return objects.filter((o) => kinds.includes(o.kind));
}

/** True when every key/value of `selector` is among `labels`. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}

export interface EmulatorProcess {
  kubectl(args: readonly string[], input?: string): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** `fledge emulator --port 0` in a child process, and kubectl pointed at it. */
export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'fledge-deploy-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, [join(root, 'bin/fledge.js'), 'emulator', '--port', '0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForEmulatorUrl(child);
  return {
    kubectl: (args, input) =>
      new Promise((resolve, reject) => {
        const proc = execFile(kubectlPath!, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
          if (error !== null) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr}`, { cause: error }));
          else resolve({ stdout, stderr });
        });
        proc.stdin?.end(input ?? '');
      }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

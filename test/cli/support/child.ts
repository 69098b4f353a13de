// Runs `node bin/fledge.js …` as a child process, as CI would, collecting its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, AppsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';

const bin = fileURLToPath(new URL('../../../bin/fledge.js', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the exit code (bounded by the test's own timeout). */
  readonly exited: Promise<number | null>;
  /** Resolves with the first stdout line matching, or rejects when the child exits first. */
  line(match: (line: string) => boolean): Promise<string>;
}

export function runFledge(t: { after(fn: () => unknown): void }, args: readonly string[]): Child {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: '' } });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  const split = (sink: string[], notify: boolean) => {
    let rest = '';
    return (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        sink.push(line);
        if (!notify) continue;
        for (const waiter of waiters.filter((w) => w.match(line))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    };
  };
  child.stdout.on('data', split(stdout, true));
  child.stderr.on('data', split(stderr, false));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`fledge exited ${code} first; stdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`));
    resolve(code);
  }));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    process: child,
    stdout,
    stderr,
    exited,
    line: (match) => {
      const seen = stdout.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      if (child.exitCode !== null) return Promise.reject(new Error(`fledge already exited ${child.exitCode}`));
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
  };
}

/** A kubeconfig file for the child, removed after the test. */
export function kubeconfigFile(t: { after(fn: () => unknown): void }, yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, yaml);
  return path;
}

const gvp = { group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default' } as const;

/** Creates an annotated Deployment `name` running `image`. */
export async function createApp(kc: KubeConfig, name: string, image: string, annotations: Record<string, string> = {}): Promise<void> {
  const labels = { app: name };
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name, namespace: 'default', annotations: { 'fledge.dev/canary': 'true', ...annotations } },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } },
      },
    },
  });
}

export async function setImage(kc: KubeConfig, name: string, image: string): Promise<void> {
  const body = { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } };
  await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment({ namespace: 'default', name, body }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
}

/** Writes a Canary's status as the controller would (creating the Canary first when missing). */
export async function writeStatus(kc: KubeConfig, name: string, status: Record<string, unknown>): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  try {
    await custom.getNamespacedCustomObject({ ...gvp, name });
  } catch {
    const body = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name, namespace: 'default' }, spec: { targetRef: { name }, steps: [50] } };
    await custom.createNamespacedCustomObject({ ...gvp, body });
  }
  await custom.patchNamespacedCustomObjectStatus({ ...gvp, name, body: { status } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

export async function readCanary(kc: KubeConfig, name: string): Promise<{ metadata: { annotations?: Record<string, string> }; status?: Record<string, unknown> }> {
  return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...gvp, name })) as never;
}

// Drives the real kubectl against `fledge emulator` started as a separate process.
import { until } from '../../support/until.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { waitForEmulatorUrl } from '../../support/emulator.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
if (kubectlPath === undefined) console.error('\n*** kubectl NOT FOUND: the kubectl suite against the emulator is SKIPPED ***\n');

const deploymentYaml = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 8080}]
        env: [{name: MODE, value: canary}]
`;

const trafficSplitYaml = `
apiVersion: split.smi-spec.io/v1alpha2
kind: TrafficSplit
metadata:
  name: web
spec:
  service: web
  backends:
  - {service: web-primary, weight: 90}
  - {service: web-canary, weight: 10}
`;

void describe('kubectl against fledge emulator', { skip: kubectlPath === undefined }, () => {
  let dir = '';
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  const output: string[] = [];

  const kubectl = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(kubectlPath!, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], { timeout: 30_000 });
    return stdout;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fledge-kubectl-'));
    child = spawn(process.execPath, [join(root, 'bin/fledge.js'), 'emulator', '--port', '0', '--kubeconfig', join(dir, 'kubeconfig')], { stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
    await waitForEmulatorUrl(child, output);
    await writeFile(join(dir, 'deploy.yaml'), deploymentYaml('example/web:1'));
    await writeFile(join(dir, 'split.yaml'), trafficSplitYaml);
  });

  after(async () => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });

  void test('prints its URL and the kubeconfig path, and kubectl lists the default namespace', async () => {
    // The URL and the kubeconfig line may arrive in separate chunks.
    const printed = await until('the kubeconfig line', () => output.join(''), (text) => text.includes('kubeconfig: '), 10, 50);
    assert.match(printed, new RegExp(`kubeconfig: ${join(dir, 'kubeconfig')}`));
    assert.match(await kubectl('get', 'ns'), /^default\s+Active/m);
  });

  void test('kubectl apply creates a Deployment and a second apply with a new image configures it', async () => {
    assert.match(await kubectl('apply', '-f', join(dir, 'deploy.yaml')), /deployment.apps\/web created/);
    await writeFile(join(dir, 'deploy.yaml'), deploymentYaml('example/web:2'));
    assert.match(await kubectl('apply', '-f', join(dir, 'deploy.yaml')), /deployment.apps\/web configured/);
    const live = parse(await kubectl('get', 'deployment', 'web', '-o', 'yaml')) as { metadata: { generation: number }; spec: { template: { spec: { containers: { image: string; env: unknown[] }[] } } } };
    assert.equal(live.metadata.generation, 2);
    assert.equal(live.spec.template.spec.containers[0]!.image, 'example/web:2');
    assert.deepEqual(live.spec.template.spec.containers[0]!.env, [{ name: 'MODE', value: 'canary' }]);
  });

  void test('kubectl apply installs the TrafficSplit CRD and a split, and get prints its printer columns', async () => {
    const crd = join(root, 'test/sandbox/fixtures/trafficsplit-linkerd-smi-v1alpha1-v1alpha2.yaml');
    assert.match(await kubectl('apply', '-f', crd), /trafficsplits.split.smi-spec.io created/);
    assert.match(await kubectl('apply', '-f', join(dir, 'split.yaml')), /trafficsplit.split.smi-spec.io\/web created/);
    const table = await kubectl('get', 'trafficsplits');
    assert.match(table, /^NAME\s+SERVICE\s*$/m);
    assert.match(table, /^web\s+web\s*$/m);
  });

  void test('kubectl patch --type merge changes the split weights', async () => {
    const body = JSON.stringify({ spec: { backends: [{ service: 'web-primary', weight: 50 }, { service: 'web-canary', weight: 50 }] } });
    assert.match(await kubectl('patch', 'trafficsplit', 'web', '--type', 'merge', '-p', body), /patched/);
    assert.equal(await kubectl('get', 'ts', 'web', '-o', 'jsonpath={.spec.backends[*].weight}'), '50 50');
  });

  void test('kubectl scale and kubectl wait see the simulated pods become ready', async () => {
    assert.match(await kubectl('scale', 'deployment/web', '--replicas=2'), /scaled/);
    assert.match(await kubectl('wait', 'deployment/web', "--for=jsonpath={.status.readyReplicas}=2", '--timeout=30s'), /condition met/);
    const pods = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'name');
    assert.equal(pods.trim().split('\n').length, 2);
  });

  void test('kubectl apply --server-side creates and updates an object', async () => {
    await writeFile(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n');
    assert.match(await kubectl('apply', '--server-side', '-f', join(dir, 'cm.yaml')), /serverside-applied/);
    await writeFile(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "2"}\n');
    await kubectl('apply', '--server-side', '-f', join(dir, 'cm.yaml'));
    assert.equal(await kubectl('get', 'configmap', 'settings', '-o', 'jsonpath={.data.a}'), '2');
  });

  void test('kubectl create sends protobuf for namespaces, configmaps, secrets and deployments, and they are created', async () => {
    assert.match(await kubectl('create', 'namespace', 'shop'), /namespace\/shop created/);
    assert.match(await kubectl('create', 'configmap', 'cfg', '-n', 'shop', '--from-literal=a=1', '--from-literal=empty='), /created/);
    assert.match(await kubectl('create', 'secret', 'generic', 'pw', '-n', 'shop', '--from-literal=pw=hunter2'), /created/);
    assert.match(await kubectl('create', 'deployment', 'api', '-n', 'shop', '--image=example/api:1', '--replicas=2', '--port=8080'), /created/);
    const cm = parse(await kubectl('get', 'configmap', 'cfg', '-n', 'shop', '-o', 'yaml')) as { data: Record<string, string> };
    assert.deepEqual(cm.data, { a: '1', empty: '' });
    assert.equal(Buffer.from(await kubectl('get', 'secret', 'pw', '-n', 'shop', '-o', 'jsonpath={.data.pw}'), 'base64').toString(), 'hunter2');
    assert.match(await kubectl('wait', '-n', 'shop', 'deployment/api', '--for=condition=Available', '--timeout=30s'), /condition met/);
    assert.equal(await kubectl('get', 'deployment', 'api', '-n', 'shop', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}'), '2 example/api:1 8080');
  });

  void test('kubectl delete removes the Deployment and its pods', async () => {
    assert.match(await kubectl('delete', 'deployment', 'web'), /deployment.apps "web" deleted/);
    const { stdout, stderr } = await run(kubectlPath!, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), 'get', 'pods', '-l', 'app=web']);
    assert.equal(stdout, '');
    assert.match(stderr, /No resources found/);
  });

  void test('SIGTERM stops the emulator cleanly', async () => {
    child!.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(output.join(''), /Stopping \(SIGTERM\)/);
  });
});

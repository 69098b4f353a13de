// Every object deploy/ renders is accepted by `kubectl apply` against `fledge emulator` — a
// cluster without the Prometheus Operator — and so are the single-namespace overlay, the example
// app and, once the operator's CRDs are there, the prometheus-operator component.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { kubectlPath, render, root, startEmulatorProcess, type EmulatorProcess, type K8sObject } from './support.ts';

const fixtures = join(root, 'test/deploy/fixtures');

function documents(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => doc.toJSON() as K8sObject).filter((o) => o !== null);
}

function asYaml(objects: readonly K8sObject[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** `group/version Kind` of every kind the server serves, from discovery. */
async function servedKinds(emulator: EmulatorProcess): Promise<Set<string>> {
  const { stdout } = await emulator.kubectl(['api-resources', '--no-headers']);
  return new Set(stdout.trim().split('\n').map((line) => {
    const fields = line.trim().split(/\s+/);
    return `${fields.at(-3) ?? ''} ${fields.at(-1) ?? ''}`;
  }));
}

const kindKey = (o: K8sObject): string => `${o.apiVersion} ${o.kind}`;
/** kubectl's "kind.group/name" (core kinds have no group). */
function applied(o: K8sObject): string {
  const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '';
  return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
}

describe('kubectl apply of deploy/ against fledge emulator', { skip: kubectlPath === undefined }, () => {
  let emulator: EmulatorProcess | undefined;
  let unserved: K8sObject[] = [];

  /** Installs the CRDs of a fixture file that this server does not serve yet. */
  async function installStandIns(file: string): Promise<void> {
    const served = await servedKinds(emulator!);
    const standIns = documents(await readFile(join(fixtures, file), 'utf8'))
      .filter((crd) => !served.has(`${crd['spec'].group}/${crd['spec'].versions[0].name} ${crd['spec'].names.kind}`));
    if (standIns.length === 0) return;
    await emulator!.kubectl(['apply', '-f', '-'], asYaml(standIns));
    await emulator!.kubectl(['wait', '--for=condition=Established', '--timeout=30s', ...standIns.map((crd) => `crd/${crd.metadata.name}`)]);
  }

  before(async () => {
    emulator = await startEmulatorProcess();
    // Kinds every real cluster serves (RBAC, policy/v1): stand-ins only for what this server lacks.
    await installStandIns('stand-in-crds.yaml');
  });

  after(async () => {
    await emulator?.stop();
  });

  async function applyRender(dir: string): Promise<{ objects: K8sObject[]; stdout: string }> {
    const served = await servedKinds(emulator!);
    const objects = await render(dir);
    const accepted = objects.filter((o) => served.has(kindKey(o)));
    unserved = objects.filter((o) => !served.has(kindKey(o)));
    if (unserved.length > 0) {
      console.error(`\n*** the emulator serves no ${[...new Set(unserved.map(kindKey))].join(', ')}: ${unserved.map(applied).join(', ')} checked by render tests only ***\n`);
    }
    const { stdout } = await emulator!.kubectl(['apply', '-f', '-'], asYaml(accepted));
    return { objects: accepted, stdout };
  }

  test('on a cluster without the Prometheus Operator, every object kubectl kustomize deploy/ renders is created, and applying again changes nothing', async () => {
    assert.ok(![...await servedKinds(emulator!)].some((kind) => kind.startsWith('monitoring.coreos.com/')), 'the server has no Prometheus Operator CRDs');
    // As the README says: the CRDs first (the built-in ClusterAnalysisTemplates need theirs served), then everything.
    const crds = ['canary', 'analysistemplates', 'clusteranalysistemplates'].flatMap((name) => ['-f', join(root, `deploy/crds/${name}.yaml`)]);
    await emulator!.kubectl(['apply', ...crds]);
    await emulator!.kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/canaries.fledge.dev', 'crd/analysistemplates.fledge.dev', 'crd/clusteranalysistemplates.fledge.dev']);
    const { objects, stdout } = await applyRender('deploy');
    assert.ok(objects.length >= 17, `applied ${objects.length} objects`);
    for (const object of objects) {
      const outcome = object.kind === 'CustomResourceDefinition' ? 'unchanged' : 'created';
      assert.match(stdout, new RegExp(`^${applied(object).replace(/[.]/g, '\\.')} ${outcome}$`, 'm'));
    }
    assert.deepEqual(objects.filter((o) => o.kind === 'ClusterAnalysisTemplate').map((o) => o.metadata.name), ['generic', 'istio', 'linkerd']);
    // The emulator serves every kind deploy/ renders, the ServiceAccount and RBAC included.
    assert.deepEqual(unserved.map(applied), []);
    for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']) {
      assert.ok(objects.some((o) => o.kind === kind), `a ${kind} was applied`);
    }
    const again = await emulator!.kubectl(['apply', '-f', '-'], asYaml(objects));
    // kubectl always re-sends a PodDisruptionBudget's selector (its patch strategy is "replace").
    for (const object of objects.filter((o) => o.kind !== 'PodDisruptionBudget')) {
      assert.match(again.stdout, new RegExp(`^${applied(object).replace(/[.]/g, '\\.')} unchanged$`, 'm'));
    }
  });

  test('the applied controller Deployment reads back with its args and becomes ready in the simulated cluster', async () => {
    const { stdout } = await emulator!.kubectl(['get', 'deployment', 'fledge-controller', '-n', 'fledge-system', '-o', 'json']);
    const live = JSON.parse(stdout) as { spec: { replicas: number; template: { spec: { containers: Array<{ args: string[] }> } } } };
    assert.equal(live.spec.replicas, 2);
    assert.ok(live.spec.template.spec.containers[0]!.args.includes('--leader-elect'));
    await emulator!.kubectl(['wait', 'deployment/fledge-controller', '-n', 'fledge-system', '--for=jsonpath={.status.readyReplicas}=2', '--timeout=30s']);
  });

  test('the single-namespace overlay is created in an existing namespace', async () => {
    await emulator!.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n');
    const { objects, stdout } = await applyRender('deploy/overlays/single-namespace');
    assert.ok(objects.length >= 8, `applied ${objects.length} objects`);
    for (const object of objects) assert.match(stdout, new RegExp(`^${applied(object).replace(/[.]/g, '\\.')} created$`, 'm'));
  });

  test('the example app applies (with its HPA), and its Deployment carries the fledge.dev annotations', async () => {
    const { stdout } = await emulator!.kubectl(['apply', '-f', join(root, 'deploy/examples/podinfo.yaml')]);
    assert.match(stdout, /^deployment\.apps\/podinfo created$/m);
    assert.match(stdout, /^horizontalpodautoscaler\.autoscaling\/podinfo created$/m);
    const annotations = await emulator!.kubectl(['get', 'deployment', 'podinfo', '-n', 'podinfo', '-o', 'jsonpath={.metadata.annotations.fledge\\.dev/canary}']);
    assert.equal(annotations.stdout, 'true');
  });

  test('with the Prometheus Operator\'s CRDs, the install plus components/prometheus-operator adds a ServiceMonitor and a PrometheusRule', async () => {
    await installStandIns('prometheus-operator-crds.yaml');
    const { objects, stdout } = await applyRender('test/deploy/fixtures/prometheus-operator');
    assert.deepEqual(unserved.map(applied), []);
    assert.match(stdout, /^servicemonitor\.monitoring\.coreos\.com\/fledge-controller created$/m);
    assert.match(stdout, /^prometheusrule\.monitoring\.coreos\.com\/fledge-controller created$/m);
    assert.ok(objects.length >= 16, `applied ${objects.length} objects`);
  });
});

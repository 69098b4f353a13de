// deploy/ rendered by the real `kubectl kustomize`: what a platform team installs, checked for
// least privilege, hardening, leader election and wiring between the objects.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { listenAddress, readSettings, settingEnv } from '../../src/cli/controller/settings.ts';
import { find, kubectlPath, ofKind, render, root, selects, type K8sObject } from './support.ts';

const skip = kubectlPath === undefined;

function rulesOf(objects: readonly K8sObject[]): Array<{ role: string; rule: Record<string, string[] | undefined> }> {
  return ofKind(objects, 'Role', 'ClusterRole').flatMap((role) => ((role['rules'] ?? []) as Array<Record<string, string[]>>).map((rule) => ({ role: `${role.kind}/${role.metadata.name}`, rule })));
}

function controllerContainer(objects: readonly K8sObject[]): Record<string, any> {
  const deployment = find(objects, 'Deployment', 'fledge-controller');
  const container = (deployment['spec'].template.spec.containers as Array<Record<string, any>>).find((c) => c['name'] === 'controller');
  assert.ok(container !== undefined, 'a container named controller');
  return container;
}

/** The container's args and env as the controller reads them; fieldRefs resolve to `namespace`. */
function settingsOf(container: Record<string, any>, namespace: string): ReturnType<typeof readSettings> {
  const [command, ...args] = container['args'] as string[];
  assert.equal(command, 'controller');
  const options = Object.fromEntries(Object.keys(settingEnv).map((name) => [name, { type: name === 'leader-elect' ? 'boolean' : 'string' } as const]));
  const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
  const env: Record<string, string> = {};
  for (const entry of (container['env'] ?? []) as Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (entry.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[entry.name] = namespace;
  }
  return readSettings(values, env);
}

function portNumber(container: Record<string, any>, name: string | number): number {
  if (typeof name === 'number') return name;
  const port = (container['ports'] as Array<{ name: string; containerPort: number }>).find((p) => p.name === name);
  assert.ok(port !== undefined, `a container port named ${name}`);
  return port.containerPort;
}

describe('kubectl kustomize deploy/', { skip }, () => {
  let objects: K8sObject[] = [];
  before(async () => {
    objects = await render('deploy');
  });

  test('renders the CRD, the RBAC, the controller with its PodDisruptionBudget and Service, and nothing of the Prometheus Operator', () => {
    for (const [kind, name] of [
      ['CustomResourceDefinition', 'canaries.fledge.dev'], ['Namespace', 'fledge-system'], ['ServiceAccount', 'fledge-controller'],
      ['ClusterRole', 'fledge-controller'], ['ClusterRoleBinding', 'fledge-controller'], ['ClusterRole', 'fledge-controller-secrets'],
      ['Role', 'fledge-leader-election'], ['RoleBinding', 'fledge-leader-election'], ['Deployment', 'fledge-controller'],
      ['PodDisruptionBudget', 'fledge-controller'], ['Service', 'fledge-controller'],
    ] as const) find(objects, kind, name);
    assert.deepEqual(objects.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/')).map((o) => o.kind), [], 'kubectl apply -k deploy/ works without the operator\'s CRDs');
    for (const object of objects.filter((o) => !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'ClusterAnalysisTemplate'].includes(o.kind))) {
      assert.equal(object.metadata.namespace, 'fledge-system', `${object.kind}/${object.metadata.name} lives in fledge-system`);
    }
  });

  test('no RBAC rule uses a wildcard, and every rule names its groups, resources and verbs', () => {
    const rules = rulesOf(objects);
    assert.ok(rules.length >= 8, `found ${rules.length} rules`);
    for (const { role, rule } of rules) {
      for (const field of ['apiGroups', 'resources', 'verbs'] as const) {
        assert.ok(Array.isArray(rule[field]) && rule[field].length > 0, `${role}: ${field} is listed`);
      }
      for (const [field, values] of Object.entries(rule)) {
        assert.ok(!(values ?? []).some((v) => v.includes('*')), `${role}: ${field} ${JSON.stringify(values)} has no *`);
      }
    }
  });

  test('Secrets can be read only by name: no list or watch, and nothing else reads them', () => {
    const secretRules = rulesOf(objects).filter(({ rule }) => (rule['resources'] ?? []).includes('secrets'));
    assert.deepEqual(secretRules.map((r) => r.role), ['ClusterRole/fledge-controller-secrets']);
    assert.deepEqual([...(secretRules[0]!.rule['verbs'] ?? [])].sort(), ['create', 'get', 'update']);
  });

  test('the Lease may be written only in the controller namespace, and every binding names a rendered role and the controller ServiceAccount', () => {
    const leaseRules = rulesOf(objects).filter(({ rule }) => (rule['resources'] ?? []).includes('leases'));
    assert.deepEqual(leaseRules.map((r) => r.role), ['Role/fledge-leader-election']);
    for (const binding of ofKind(objects, 'RoleBinding', 'ClusterRoleBinding')) {
      find(objects, binding['roleRef'].kind, binding['roleRef'].name);
      assert.deepEqual(binding['subjects'], [{ kind: 'ServiceAccount', name: 'fledge-controller', namespace: 'fledge-system' }]);
    }
  });

  test('the controller runs two non-root replicas with leader election, a read-only root filesystem and no capabilities', () => {
    const deployment = find(objects, 'Deployment', 'fledge-controller');
    const pod = deployment['spec'].template.spec;
    const container = controllerContainer(objects);
    assert.equal(deployment['spec'].replicas, 2);
    assert.equal(pod.serviceAccountName, 'fledge-controller');
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.securityContext.runAsUser > 0);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.equal(container['securityContext'].readOnlyRootFilesystem, true);
    assert.equal(container['securityContext'].allowPrivilegeEscalation, false);
    assert.deepEqual(container['securityContext'].capabilities.drop, ['ALL']);
    assert.equal(container['securityContext'].capabilities.add, undefined);
    assert.match(container['image'], /^ghcr\.io\/fledge-dev\/fledge:\d/);
    for (const kind of ['requests', 'limits']) {
      assert.ok(container['resources'][kind].cpu !== undefined && container['resources'][kind].memory !== undefined, `cpu and memory ${kind}`);
    }
  });

  test('the controller flags and environment pass its own settings parser, with leader election on', () => {
    const settings = settingsOf(controllerContainer(objects), 'fledge-system');
    assert.equal(settings['leader-elect'], true);
    assert.equal(settings['leader-namespace'], 'fledge-system');
    assert.equal(settings.namespace, undefined, 'watches every namespace');
    assert.match(settings['prometheus-url'], /^https?:\/\//);
  });

  test('probes ask /healthz and /readyz on the port the health listener binds on every interface, and the Service exposes /metrics', () => {
    const container = controllerContainer(objects);
    const settings = settingsOf(container, 'fledge-system');
    const health = listenAddress(settings['health-addr']);
    const metrics = listenAddress(settings['metrics-addr']);
    assert.equal(health.host, '0.0.0.0', 'kubelet reaches the probes from outside the pod');
    assert.equal(metrics.host, '0.0.0.0', 'Prometheus reaches /metrics from outside the pod');
    assert.equal(container['livenessProbe'].httpGet.path, '/healthz');
    assert.equal(container['readinessProbe'].httpGet.path, '/readyz');
    assert.equal(portNumber(container, container['livenessProbe'].httpGet.port), health.port);
    assert.equal(portNumber(container, container['readinessProbe'].httpGet.port), health.port);
    const service = find(objects, 'Service', 'fledge-controller');
    const servicePort = (service['spec'].ports as Array<{ name: string; targetPort: string | number }>).find((p) => p.name === 'metrics');
    assert.ok(servicePort !== undefined, 'a Service port named metrics');
    assert.equal(portNumber(container, servicePort.targetPort), metrics.port);
  });

  test('the PodDisruptionBudget keeps one replica and, like the Service, selects the controller pods', () => {
    const podLabels = find(objects, 'Deployment', 'fledge-controller')['spec'].template.metadata.labels;
    const pdb = find(objects, 'PodDisruptionBudget', 'fledge-controller');
    assert.equal(pdb['spec'].minAvailable, 1);
    assert.ok(selects(pdb['spec'].selector.matchLabels, podLabels));
    const service = find(objects, 'Service', 'fledge-controller');
    assert.ok(selects(service['spec'].selector, podLabels));
  });
});

describe('deploy/ with components/prometheus-operator (test/deploy/fixtures/prometheus-operator, as deploy/README.md shows)', { skip }, () => {
  let objects: K8sObject[] = [];
  before(async () => {
    objects = await render('test/deploy/fixtures/prometheus-operator');
  });

  test('adds exactly a ServiceMonitor and a PrometheusRule to the install, in the controller namespace', async () => {
    const base = await render('deploy');
    const added = objects.filter((o) => !base.some((b) => b.kind === o.kind && b.metadata.name === o.metadata.name));
    assert.deepEqual(added.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`).sort(), [
      'monitoring.coreos.com/v1 PrometheusRule/fledge-controller', 'monitoring.coreos.com/v1 ServiceMonitor/fledge-controller',
    ]);
    for (const object of added) {
      assert.equal(object.metadata.namespace, 'fledge-system');
      assert.equal(object.metadata.labels?.['app.kubernetes.io/part-of'], 'fledge');
    }
  });

  test('the ServiceMonitor scrapes /metrics on the controller Service\'s metrics port', () => {
    const service = find(objects, 'Service', 'fledge-controller');
    const monitor = find(objects, 'ServiceMonitor', 'fledge-controller');
    assert.ok(selects(monitor['spec'].selector.matchLabels, service.metadata.labels));
    assert.ok((service['spec'].ports as Array<{ name: string }>).some((p) => p.name === 'metrics'));
    assert.deepEqual(monitor['spec'].endpoints.map((e: { port: string; path: string }) => [e.port, e.path]), [['metrics', '/metrics']]);
  });

  test('the PrometheusRule holds exactly the rule groups of deploy/prometheus/alerts.yaml', () => {
    const alerts = parse(readFileSync(join(root, 'deploy/prometheus/alerts.yaml'), 'utf8')) as { groups: unknown[] };
    assert.ok(alerts.groups.length > 0);
    assert.deepEqual(find(objects, 'PrometheusRule', 'fledge-controller')['spec'], { groups: alerts.groups }, 'regenerate it: npx tsx scripts/gen-prometheus-rule.ts');
  });
});

describe('kubectl kustomize deploy/overlays/single-namespace', { skip }, () => {
  let objects: K8sObject[] = [];
  before(async () => {
    objects = await render('deploy/overlays/single-namespace');
  });

  test('renders only namespaced objects, all in the apps namespace: nothing a namespace admin could not install', () => {
    assert.ok(objects.length >= 8);
    for (const object of objects) {
      assert.ok(!['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind), `${object.kind}/${object.metadata.name} is cluster-scoped`);
      assert.equal(object.metadata.namespace, 'apps', `${object.kind}/${object.metadata.name}`);
    }
  });

  test('grants the same rules as Roles of the namespace, bound to its own ServiceAccount, without wildcards', async () => {
    const cluster = await render('deploy');
    for (const name of ['fledge-controller', 'fledge-controller-secrets']) {
      assert.deepEqual(find(objects, 'Role', name)['rules'], find(cluster, 'ClusterRole', name)['rules']);
      const binding = find(objects, 'RoleBinding', name);
      assert.deepEqual(binding['roleRef'], { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name });
      assert.deepEqual(binding['subjects'], [{ kind: 'ServiceAccount', name: 'fledge-controller', namespace: 'apps' }]);
    }
    for (const { role, rule } of rulesOf(objects)) {
      for (const values of Object.values(rule)) assert.ok(!(values ?? []).some((v) => v.includes('*')), role);
    }
  });

  test('the controller watches only its own namespace and keeps its Lease there', () => {
    const settings = settingsOf(controllerContainer(objects), 'apps');
    assert.equal(settings.namespace, 'apps');
    assert.equal(settings['leader-namespace'], 'apps');
    assert.equal(settings['leader-elect'], true);
  });
});

describe('deploy/ with components/slack (test/deploy/fixtures/slack, as deploy/README.md shows)', { skip }, () => {
  let objects: K8sObject[] = [];
  before(async () => {
    objects = await render('test/deploy/fixtures/slack');
  });

  test('the controller reads the bot token from a file mounted read-only from the Secret the overlay generates', () => {
    const container = controllerContainer(objects);
    const settings = settingsOf(container, 'fledge-system');
    const tokenFile = settings['slack-token-file'];
    assert.equal(tokenFile, '/var/run/secrets/fledge/slack/token');
    assert.equal(settings['slack-channel'], '#deploys', 'the overlay\'s default channel');
    const mount = (container['volumeMounts'] as Array<{ name: string; mountPath: string; readOnly?: boolean }>).find((m) => tokenFile.startsWith(`${m.mountPath}/`));
    assert.ok(mount !== undefined && mount.readOnly === true, 'the token file is on a read-only mount');
    const pod = find(objects, 'Deployment', 'fledge-controller')['spec'].template.spec;
    const volume = (pod.volumes as Array<{ name: string; secret?: { secretName: string; items?: Array<{ key: string; path: string }> } }>).find((v) => v.name === mount.name);
    assert.ok(volume?.secret !== undefined, 'mounted from a Secret');
    assert.deepEqual(volume.secret.items, [{ key: 'token', path: tokenFile.slice(mount.mountPath.length + 1) }]);
    const secret = find(objects, 'Secret', volume.secret.secretName);
    assert.equal(secret.metadata.namespace, 'fledge-system', 'next to the controller');
    assert.ok(typeof (secret['data'] as Record<string, string>)['token'] === 'string');
  });

  test('changes nothing else: same objects as deploy/ plus the Secret, the token never in an environment value', async () => {
    const base = await render('deploy');
    const added = objects.filter((o) => !base.some((b) => b.kind === o.kind && b.metadata.name === o.metadata.name));
    assert.deepEqual(added.map((o) => o.kind), ['Secret']);
    const env = (controllerContainer(objects)['env'] ?? []) as Array<{ name: string; value?: string }>;
    assert.ok(!env.some((e) => (e.value ?? '').startsWith('xoxb-')), 'no token in env');
  });
});

describe('deploy/ with components/linkerd-viz (test/deploy/fixtures/linkerd-viz, as deploy/README.md shows)', { skip }, () => {
  test('queries linkerd-viz\'s Prometheus, and the NetworkPolicy lets the controller reach it there', async () => {
    const objects = await render('test/deploy/fixtures/linkerd-viz');
    const settings = settingsOf(controllerContainer(objects), 'fledge-system');
    assert.equal(settings['prometheus-url'], 'http://prometheus.linkerd-viz.svc.cluster.local:9090');
    const policy = find(objects, 'NetworkPolicy', 'fledge-controller');
    const egress = policy['spec'].egress as Array<{ to?: Array<{ namespaceSelector?: { matchLabels?: Record<string, string> } }>; ports: Array<{ port: number }> }>;
    const toPrometheus = egress.filter((rule) => rule.ports.some((p) => p.port === 9090));
    assert.deepEqual(toPrometheus.map((rule) => rule.to?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']), ['linkerd-viz']);
  });
});

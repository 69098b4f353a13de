// The controller's NetworkPolicy, as `kubectl kustomize` renders it: it selects the controller
// pods, lets in exactly the ports the container declares (metrics from the monitoring namespace,
// health from in-cluster), and lets out only the API server, Prometheus, DNS and HTTPS.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { find, kubectlPath, render, selects, type K8sObject } from './support.ts';

interface PolicyPort {
  port: number | string;
  protocol?: string;
}

interface Peer {
  namespaceSelector?: { matchLabels?: Record<string, string> };
  podSelector?: unknown;
  ipBlock?: unknown;
}

interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: PolicyPort[];
}

interface ContainerPort {
  name: string;
  containerPort: number;
  protocol?: string;
}

const monitoring = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }];

function containerPorts(objects: readonly K8sObject[]): ContainerPort[] {
  const pod = find(objects, 'Deployment', 'fledge-controller')['spec'].template.spec;
  return (pod.containers as Array<{ ports?: ContainerPort[] }>).flatMap((container) => container.ports ?? []);
}

/** `PROTOCOL/number` of a policy port, a named port resolved against the container's. */
function resolved(port: PolicyPort, declared: readonly ContainerPort[]): string {
  const number = typeof port.port === 'number' ? port.port : declared.find((p) => p.name === port.port)?.containerPort;
  assert.ok(number !== undefined, `port ${String(port.port)} is declared by the container`);
  return `${port.protocol ?? 'TCP'}/${number}`;
}

function portsOf(rules: readonly Rule[], declared: readonly ContainerPort[]): string[] {
  return rules.flatMap((rule) => {
    assert.ok((rule.ports ?? []).length > 0, 'every rule names its ports');
    return (rule.ports ?? []).map((port) => resolved(port, declared));
  });
}

for (const [dir, namespace] of [['deploy', 'fledge-system'], ['deploy/overlays/single-namespace', 'apps']] as const) {
  describe(`the NetworkPolicy kubectl kustomize ${dir} renders`, { skip: kubectlPath === undefined }, () => {
    let objects: K8sObject[] = [];
    let policy: K8sObject;
    let declared: ContainerPort[] = [];
    before(async () => {
      objects = await render(dir);
      policy = find(objects, 'NetworkPolicy', 'fledge-controller');
      declared = containerPorts(objects);
    });

    test('selects the controller pods, in their namespace, for ingress and egress', () => {
      const podLabels = find(objects, 'Deployment', 'fledge-controller')['spec'].template.metadata.labels;
      assert.equal(policy.apiVersion, 'networking.k8s.io/v1');
      assert.equal(policy.metadata.namespace, namespace);
      assert.ok(selects(policy['spec'].podSelector.matchLabels, podLabels));
      assert.deepEqual([...policy['spec'].policyTypes].sort(), ['Egress', 'Ingress']);
    });

    test('opens exactly the ports the container declares: metrics to the monitoring namespace, health in-cluster', () => {
      const ingress = policy['spec'].ingress as Rule[];
      assert.deepEqual(portsOf(ingress, declared).sort(), declared.map((p) => `${p.protocol ?? 'TCP'}/${p.containerPort}`).sort());
      const byPort = new Map(ingress.flatMap((rule) => (rule.ports ?? []).map((port) => [port.port, rule.from] as const)));
      assert.deepEqual(byPort.get('metrics'), monitoring);
      assert.deepEqual(byPort.get('health'), [{ namespaceSelector: {} }], 'any pod in the cluster, nothing outside it');
    });

    test('lets out only the API server, Prometheus in the monitoring namespace, DNS and HTTPS', () => {
      const egress = policy['spec'].egress as Rule[];
      assert.deepEqual([...new Set(portsOf(egress, declared))].sort(), ['TCP/443', 'TCP/53', 'TCP/6443', 'TCP/9090', 'UDP/53']);
      const prometheus = egress.find((rule) => (rule.ports ?? []).some((port) => port.port === 9090));
      assert.deepEqual(prometheus?.to, monitoring);
    });
  });
}

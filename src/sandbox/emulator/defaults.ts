// Defaulting the real server applies on write, for the fields clients commonly read back.
import { clone, isRecord, type JsonRecord } from './json.ts';
import type { KubeObject } from './types.ts';
import { defaultHpa } from './hpa.ts';

export interface DefaultsContext {
  /** A fresh cluster IP for a new Service. */
  readonly nextClusterIp: () => string;
}

type Defaulter = (object: KubeObject, previous: KubeObject | undefined, ctx: DefaultsContext) => void;

function record(parent: JsonRecord, key: string): JsonRecord {
  const value = parent[key];
  if (isRecord(value)) return value;
  const created: JsonRecord = {};
  parent[key] = created;
  return created;
}

function setDefault(target: JsonRecord, key: string, value: unknown): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

function eachRecord(value: unknown, fn: (item: JsonRecord) => void): void {
  if (Array.isArray(value)) value.filter(isRecord).forEach(fn);
}

function defaultContainer(container: JsonRecord): void {
  const image = typeof container['image'] === 'string' ? container['image'] : '';
  const tag = image.includes('@') ? 'digest' : (image.split('/').pop() ?? '').split(':')[1];
  setDefault(container, 'imagePullPolicy', tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  setDefault(container, 'resources', {});
  eachRecord(container['ports'], (port) => setDefault(port, 'protocol', 'TCP'));
}

function defaultPodSpec(spec: JsonRecord): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  eachRecord(spec['containers'], defaultContainer);
  eachRecord(spec['initContainers'], defaultContainer);
}

const deployment: Defaulter = (object) => {
  const spec = record(object, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  const strategy = record(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const rolling = record(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  const template = record(spec, 'template');
  defaultPodSpec(record(template, 'spec'));
};

const service: Defaulter = (object, previous, ctx) => {
  const spec = record(object, 'spec');
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  const previousSpec = isRecord(previous?.['spec']) ? previous['spec'] : {};
  if (spec['clusterIP'] !== 'None') {
    setDefault(spec, 'clusterIP', previousSpec['clusterIP'] ?? ctx.nextClusterIp());
    spec['clusterIPs'] = [spec['clusterIP']];
  }
  setDefault(spec, 'ipFamilies', ['IPv4']);
  setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  eachRecord(spec['ports'], (port) => {
    setDefault(port, 'protocol', 'TCP');
    setDefault(port, 'targetPort', port['port']);
  });
  setDefault(object, 'status', { loadBalancer: {} });
};

const namespace: Defaulter = (object) => {
  setDefault(record(object, 'spec'), 'finalizers', ['kubernetes']);
  const status = record(object, 'status');
  setDefault(status, 'phase', 'Active');
  const name = object.metadata.name ?? '';
  object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': name };
};

const secret: Defaulter = (object) => {
  setDefault(object, 'type', 'Opaque');
  const stringData = object['stringData'];
  if (!isRecord(stringData)) return;
  const data = record(object, 'data');
  for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value)).toString('base64');
  delete object['stringData'];
};

const pod: Defaulter = (object) => {
  defaultPodSpec(record(object, 'spec'));
  setDefault(record(object, 'status'), 'phase', 'Pending');
};

const defaulters: Readonly<Record<string, Defaulter>> = {
  'apps/Deployment': deployment,
  '/Service': service,
  '/Namespace': namespace,
  '/Secret': secret,
  '/Pod': pod,
  'autoscaling/HorizontalPodAutoscaler': (object) => defaultHpa(object),
};

/** A defaulted copy of `object` (the input is not changed). */
export function withDefaults(group: string, object: KubeObject, previous: KubeObject | undefined, ctx: DefaultsContext): KubeObject {
  const copy = clone(object);
  defaulters[`${group}/${object.kind ?? ''}`]?.(copy, previous, ctx);
  return copy;
}

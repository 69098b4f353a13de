// autoscaling/v2 HorizontalPodAutoscalers as the real API server keeps them: defaulting
// (minReplicas 1; a CPU target of 80% when no metric is given), validation with its field paths
// and messages (pkg/apis/autoscaling/validation), and the columns of `kubectl get hpa`.
import { isRecord, readPath, rec, str } from './json.ts';
import type { KubeObject, PrinterColumn, StatusCause } from './types.ts';
import { age } from './age.ts';

type JsonRecord = Record<string, unknown>;

const required = (field: string, detail?: string): StatusCause =>
  ({ reason: 'FieldValueRequired', field, message: detail === undefined ? 'Required value' : `Required value: ${detail}` });
const invalid = (field: string, value: unknown, why: string): StatusCause =>
  ({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${why}` });
const unsupported = (field: string, value: unknown, allowed: readonly string[]): StatusCause =>
  ({ reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}` });

const metricTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'] as const;
const targetTypes = ['AverageValue', 'Utilization', 'Value'] as const;
/** The field holding each metric type's source (`type: Resource` → `resource`). */
const sourceField: Readonly<Record<(typeof metricTypes)[number], string>> = {
  ContainerResource: 'containerResource', External: 'external', Object: 'object', Pods: 'pods', Resource: 'resource',
};

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2). */
export function defaultHpa(object: JsonRecord): void {
  const spec = rec(object['spec']);
  object['spec'] = spec;
  if (spec['minReplicas'] === undefined) spec['minReplicas'] = 1;
  const metrics = spec['metrics'];
  if (!Array.isArray(metrics) || metrics.length === 0) {
    spec['metrics'] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
}

function scaleTargetRef(spec: JsonRecord): StatusCause[] {
  const ref = spec['scaleTargetRef'];
  if (!isRecord(ref)) return [required('spec.scaleTargetRef.kind'), required('spec.scaleTargetRef.name')];
  const causes: StatusCause[] = [];
  if (typeof ref['kind'] !== 'string' || ref['kind'] === '') causes.push(required('spec.scaleTargetRef.kind'));
  if (typeof ref['name'] !== 'string' || ref['name'] === '') causes.push(required('spec.scaleTargetRef.name'));
  return causes;
}

function replicaBounds(spec: JsonRecord): StatusCause[] {
  const min = spec['minReplicas'];
  const max = spec['maxReplicas'];
  const causes: StatusCause[] = [];
  if (typeof min === 'number' && min < 1) causes.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (typeof max !== 'number') return [...causes, required('spec.maxReplicas')];
  if (max < 1) causes.push(invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof min === 'number' && max < min) causes.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  return causes;
}

function target(field: string, value: unknown): StatusCause[] {
  if (!isRecord(value)) return [required(field)];
  const type = value['type'];
  if (typeof type !== 'string' || type === '') return [required(`${field}.type`, 'must specify a metric target type')];
  if (!(targetTypes as readonly string[]).includes(type)) return [unsupported(`${field}.type`, type, targetTypes)];
  const utilization = value['averageUtilization'];
  if (type === 'Utilization' && (typeof utilization !== 'number' || utilization < 1)) {
    return [typeof utilization === 'number' ? invalid(`${field}.averageUtilization`, utilization, 'must be greater than 0') : required(`${field}.averageUtilization`, 'must set either a target raw value or a target utilization')];
  }
  return [];
}

function metric(value: unknown, index: number): StatusCause[] {
  const field = `spec.metrics[${index}]`;
  const item = rec(value);
  const type = item['type'];
  if (typeof type !== 'string' || type === '') return [required(`${field}.type`, 'must specify a metric source type')];
  if (!(metricTypes as readonly string[]).includes(type)) return [unsupported(`${field}.type`, type, metricTypes)];
  const key = sourceField[type as (typeof metricTypes)[number]];
  const source = item[key];
  if (!isRecord(source)) return [required(`${field}.${key}`, `must populate information for the given metric source`)];
  return [...sourceName(`${field}.${key}`, type, source), ...target(`${field}.${key}.target`, source['target'])];
}

/** Resource metrics name a resource (`cpu`), the others a metric (`metric.name`). */
function sourceName(field: string, type: string, source: JsonRecord): StatusCause[] {
  const named = type === 'Resource' || type === 'ContainerResource';
  const name = named ? source['name'] : readPath(source, ['metric', 'name']);
  if (typeof name === 'string' && name !== '') return [];
  return [named ? required(`${field}.name`, 'must specify a resource name') : required(`${field}.metric.name`, 'must specify a metric name')];
}

/** ValidateHorizontalPodAutoscaler: what a real API server refuses (422). */
export function validateHpa(object: KubeObject): StatusCause[] {
  const spec = rec(object['spec']);
  const metrics = Array.isArray(spec['metrics']) ? spec['metrics'] : [];
  return [...scaleTargetRef(spec), ...replicaBounds(spec), ...metrics.flatMap(metric)];
}

function resourceTarget(item: JsonRecord, current: readonly unknown[]): string {
  const source = rec(item['resource']);
  const name = typeof source['name'] === 'string' ? source['name'] : '';
  const goal = rec(source['target']);
  const now = current.filter(isRecord).find((c) => rec(c['resource'])['name'] === name);
  const observed = readPath(now, ['resource', 'current', 'averageUtilization']);
  const value = typeof goal['averageUtilization'] === 'number' ? `${goal['averageUtilization']}%` : str(goal['averageValue'], str(goal['value']));
  return `${name}: ${typeof observed === 'number' ? `${observed}%` : '<unknown>'}/${value}`;
}

function targets(o: KubeObject): string {
  const metrics = readPath(o, ['spec', 'metrics']);
  const current = readPath(o, ['status', 'currentMetrics']);
  const list = (Array.isArray(metrics) ? metrics : []).filter(isRecord)
    .map((m) => (m['type'] === 'Resource' ? resourceTarget(m, Array.isArray(current) ? current : []) : `${String(m['type'])}: <unknown>`));
  return list.length === 0 ? '<none>' : list.join(', ');
}

const num = (o: KubeObject, ...path: string[]): number => {
  const value = readPath(o, path);
  return typeof value === 'number' ? value : 0;
};

export const hpaColumns: readonly PrinterColumn[] = [
  { name: 'Reference', type: 'string', cell: (o) => `${str(readPath(o, ['spec', 'scaleTargetRef', 'kind']))}/${str(readPath(o, ['spec', 'scaleTargetRef', 'name']))}` },
  { name: 'Targets', type: 'string', cell: targets },
  { name: 'MinPods', type: 'integer', cell: (o) => num(o, 'spec', 'minReplicas') },
  { name: 'MaxPods', type: 'integer', cell: (o) => num(o, 'spec', 'maxReplicas') },
  { name: 'Replicas', type: 'integer', cell: (o) => num(o, 'status', 'currentReplicas') },
  { name: 'Age', type: 'string', description: 'Time since creation', cell: (o, now) => age(o.metadata.creationTimestamp, now) },
];

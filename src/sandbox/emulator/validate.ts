// Validation with the real server's field paths and messages (422 Invalid causes).
import { deepEqual, isRecord, readPath, rec, str } from './json.ts';
import { checkName } from './names.ts';
import { validateHpa } from './hpa.ts';
import { parseLabelSelector, selectorText } from './selectors.ts';
import type { KubeObject, ResourceType, StatusCause } from './types.ts';

const required = (field: string): StatusCause => ({ reason: 'FieldValueRequired', field, message: 'Required value' });
const invalidValue = (field: string, value: string, why: string): StatusCause =>
  ({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${value}: ${why}` });

/** kind and apiVersion must name the resource at the requested version. */
export function checkIdentity(type: ResourceType, version: string, object: KubeObject): StatusCause[] {
  const apiVersion = type.group === '' ? version : `${type.group}/${version}`;
  const causes: StatusCause[] = [];
  if (object.kind !== type.kind) causes.push(invalidValue('kind', JSON.stringify(object.kind ?? ''), `must be ${type.kind}`));
  if (object.apiVersion !== apiVersion) causes.push(invalidValue('apiVersion', JSON.stringify(object.apiVersion ?? ''), `must be ${apiVersion}`));
  return causes;
}

function goMap(value: unknown): string {
  const entries = Object.entries(isRecord(value) ? value : {}).sort(([a], [b]) => a.localeCompare(b));
  return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
}

function deploymentSelector(object: KubeObject): StatusCause[] {
  const selector = readPath(object, ['spec', 'selector']);
  if (!isRecord(selector)) return [required('spec.selector')];
  const text = selectorText(selector);
  if (text === '') return [invalidValue('spec.selector', goMap({}), 'empty selector is invalid for deployment')];
  const parsed = parseLabelSelector(text);
  if (!parsed.ok) return [invalidValue('spec.selector', JSON.stringify(text), parsed.error)];
  const labels = readPath(object, ['spec', 'template', 'metadata', 'labels']);
  const probe: KubeObject = { metadata: { labels: isRecord(labels) ? (labels as Record<string, string>) : {} } };
  if (parsed.selector(probe)) return [];
  return [invalidValue('spec.template.metadata.labels', goMap(labels), '`selector` does not match template `labels`')];
}

function deployment(object: KubeObject, previous: KubeObject | undefined): StatusCause[] {
  const causes = deploymentSelector(object);
  const containers = readPath(object, ['spec', 'template', 'spec', 'containers']);
  if (!Array.isArray(containers) || containers.length === 0) causes.push(required('spec.template.spec.containers'));
  const replicas = readPath(object, ['spec', 'replicas']);
  if (typeof replicas === 'number' && replicas < 0) {
    causes.push(invalidValue('spec.replicas', String(replicas), 'must be greater than or equal to 0'));
  }
  const before = readPath(previous, ['spec', 'selector']);
  if (previous !== undefined && !deepEqual(before, readPath(object, ['spec', 'selector']))) {
    causes.push(invalidValue('spec.selector', JSON.stringify(readPath(object, ['spec', 'selector'])), 'field is immutable'));
  }
  return causes;
}

function crdNames(spec: Record<string, unknown>): StatusCause[] {
  const names = rec(spec['names']);
  const causes: StatusCause[] = [];
  if (str(spec['group']) === '') causes.push(required('spec.group'));
  if (str(names['plural']) === '') causes.push(required('spec.names.plural'));
  if (str(names['kind']) === '') causes.push(required('spec.names.kind'));
  if (spec['scope'] !== 'Namespaced' && spec['scope'] !== 'Cluster') {
    causes.push({ reason: 'FieldValueNotSupported', field: 'spec.scope', message: `Unsupported value: ${JSON.stringify(spec['scope'] ?? '')}: supported values: "Cluster", "Namespaced"` });
  }
  return causes;
}

function crd(object: KubeObject): StatusCause[] {
  const spec = rec(object['spec']);
  const causes = crdNames(spec);
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isRecord) : [];
  if (versions.length === 0) causes.push(required('spec.versions'));
  else if (versions.filter((v) => v['storage'] === true).length !== 1) {
    causes.push(invalidValue('spec.versions', '[]', 'must have exactly one version marked as storage version'));
  }
  const expected = `${str(rec(spec['names'])['plural'])}.${str(spec['group'])}`;
  if (object.metadata.name !== expected) {
    causes.push(invalidValue('metadata.name', JSON.stringify(object.metadata.name), `must be spec.names.plural+"."+spec.group`));
  }
  return causes;
}

const kindRules: Readonly<Record<string, (object: KubeObject, previous: KubeObject | undefined) => StatusCause[]>> = {
  'apps/Deployment': deployment,
  'apiextensions.k8s.io/CustomResourceDefinition': crd,
  'autoscaling/HorizontalPodAutoscaler': validateHpa,
};

/** Everything wrong with `object` (empty when valid); `previous` is set on updates. */
export function validateObject(type: ResourceType, object: KubeObject, previous?: KubeObject): StatusCause[] {
  const name = object.metadata.name ?? '';
  const causes = name === '' ? [{ ...required('metadata.name'), message: 'Required value: name or generateName is required' }] : checkName(name, type.nameRule);
  return [...causes, ...(kindRules[`${type.group}/${type.kind}`]?.(object, previous) ?? [])];
}

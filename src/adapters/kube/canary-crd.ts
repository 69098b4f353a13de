// The Canary CustomResourceDefinition, generated from the zod schemas in src/ports/canary-schema.ts.
// `npx tsx scripts/gen-crd.ts` writes deploy/crds/canary.yaml; a test keeps the two in sync.
import { z } from 'zod';
import { stringify } from 'yaml';
import { canaryGroup, canaryKind, canaryPlural, canarySpecSchema, canaryStatusSchema, canaryVersion } from '../../ports/canary-schema.ts';

type JsonSchema = Record<string, unknown>;

const preserveKey = 'x-kubernetes-preserve-unknown-fields';
/** zod's bounds for "any safe integer" say nothing a Kubernetes schema needs. */
const safeBound = Number.MAX_SAFE_INTEGER;

/** OpenAPI v3.0 has `nullable`, not null types. An enum must list null too, or the API server refuses null. */
function withNull(node: JsonSchema): JsonSchema {
  const { enum: values } = node;
  return { ...node, ...(Array.isArray(values) ? { enum: [...(values as unknown[]), null] } : {}), nullable: true };
}

function nullable(node: JsonSchema): JsonSchema {
  const { type, anyOf } = node;
  if (Array.isArray(type) && type.includes('null')) {
    const rest = type.filter((t) => t !== 'null');
    return withNull({ ...node, type: rest.length === 1 ? rest[0] : rest });
  }
  if (Array.isArray(anyOf) && anyOf.some((s) => (s as JsonSchema)['type'] === 'null')) {
    const others = anyOf.filter((s) => (s as JsonSchema)['type'] !== 'null');
    const { anyOf: _drop, ...restNode } = node;
    return others.length === 1 ? withNull({ ...restNode, ...(others[0] as JsonSchema) }) : withNull({ ...node, anyOf: others });
  }
  return node;
}

/** Keeps bounds and patterns that say something; zod's safe-integer bounds and date-time regex do not. */
function keepMeaningful(node: JsonSchema): JsonSchema {
  const { pattern, minimum, maximum } = node;
  return {
    ...(pattern !== undefined && node['format'] !== 'date-time' ? { pattern } : {}),
    ...(minimum !== undefined && minimum !== -safeBound ? { minimum } : {}),
    ...(maximum !== undefined && maximum !== safeBound ? { maximum } : {}),
  };
}

/** `additionalProperties: {}` (an open object) becomes preserve-unknown; `false` goes. */
function openness(node: JsonSchema): JsonSchema {
  const { additionalProperties } = node;
  if (additionalProperties === undefined || additionalProperties === false || node[preserveKey] === true) return {};
  const empty = typeof additionalProperties === 'object' && Object.keys(additionalProperties as object).length === 0;
  return empty ? { [preserveKey]: true } : { additionalProperties };
}

function dropNoise(node: JsonSchema): JsonSchema {
  const { $schema: _s, default: _d, propertyNames: _p, pattern: _r, minimum: _min, maximum: _max, additionalProperties: _a, ...rest } = node;
  return { ...rest, ...keepMeaningful(node), ...openness(node) };
}

function mapEntries(value: unknown, map: (node: JsonSchema) => JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(value as JsonSchema).map(([key, child]) => [key, map(child as JsonSchema)]));
}

/**
 * Turns zod's JSON Schema into a Kubernetes structural schema: `nullable: true` instead of
 * null types, no `additionalProperties: false`, no defaults (the controller writes every
 * field), `x-kubernetes-preserve-unknown-fields` for open objects.
 */
export function toStructural(schema: JsonSchema): JsonSchema {
  const walk = (node: JsonSchema): JsonSchema => {
    const cleaned = dropNoise(nullable(node));
    return Object.fromEntries(
      Object.entries(cleaned).map(([key, child]) => {
        if (key === 'properties') return [key, mapEntries(child, walk)];
        if (key === 'items' || key === 'additionalProperties') return [key, walk(child as JsonSchema)];
        if (key === 'anyOf') return [key, (child as JsonSchema[]).map(walk)];
        return [key, child];
      }),
    );
  };
  return walk(schema);
}

/** A zod schema as a Kubernetes structural schema (what the CRDs are generated from). */
export function schemaOf(schema: z.ZodType): JsonSchema {
  return toStructural(z.toJSONSchema(schema, { io: 'input' }));
}

const printerColumns = [
  { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
  { name: 'Weight', type: 'integer', jsonPath: '.status.canaryWeight' },
  { name: 'Step', type: 'string', jsonPath: '.status.stepText' },
  { name: 'Revision', type: 'string', jsonPath: '.status.revision' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  // `kubectl get canaries -o wide`: why the Canary is in its phase, from its Ready condition.
  { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1 },
  { name: 'Message', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message', priority: 1 },
];

/** What one of Fledge's CRDs is made of; every one is served at one version with a status subresource. */
export interface FledgeCrd {
  readonly kind: string;
  readonly plural: string;
  readonly shortNames: readonly string[];
  readonly categories?: readonly string[];
  readonly scope: 'Namespaced' | 'Cluster';
  readonly columns: readonly JsonSchema[];
  readonly spec: JsonSchema;
  readonly status: JsonSchema;
  /** The object must have a spec. */
  readonly specRequired?: boolean;
}

/** A CustomResourceDefinition of the fledge.dev group. */
export function fledgeCrd(crd: FledgeCrd): JsonSchema {
  const { kind, plural, spec, status } = crd;
  const categories = crd.categories === undefined ? {} : { categories: crd.categories };
  const required = crd.specRequired === true ? { required: ['spec'] } : {};
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${canaryGroup}`, labels: { 'app.kubernetes.io/part-of': 'fledge' } },
    spec: {
      group: canaryGroup,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: crd.shortNames, ...categories },
      scope: crd.scope,
      versions: [{
        name: canaryVersion,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: crd.columns,
        schema: { openAPIV3Schema: { type: 'object', ...required, properties: { spec, status } } },
      }],
    },
  };
}

/** The CRD as an object. */
export function buildCanaryCrd(): JsonSchema {
  const spec = { ...schemaOf(canarySpecSchema), description: 'The resolved configuration, mirrored for people; written by Fledge.' };
  const status = { ...schemaOf(canaryStatusSchema), description: 'Durable state of the release; written by Fledge.' };
  return fledgeCrd({ kind: canaryKind, plural: canaryPlural, shortNames: ['cn'], scope: 'Namespaced', columns: printerColumns, spec, status });
}

/** The CRD as the YAML committed at deploy/crds/canary.yaml. */
export function renderCanaryCrd(): string {
  const header = '# Generated by scripts/gen-crd.ts from src/ports/canary-schema.ts. Do not edit.\n';
  return header + stringify(buildCanaryCrd(), { lineWidth: 0 });
}

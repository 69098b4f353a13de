// The AnalysisTemplate (namespaced) and ClusterAnalysisTemplate custom resources
// (fledge.dev/v1alpha1): their spec is the analysis template schema (src/config/analysis-schema.ts),
// their status says whether the controller could use it. Both CRDs are generated from these.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { z } from 'zod';
import { canaryGroup, canaryVersion, conditionSchema } from './canary-schema.ts';

export const templateKinds = ['AnalysisTemplate', 'ClusterAnalysisTemplate'] as const;
export type TemplateKind = (typeof templateKinds)[number];

export const templatePlurals: Readonly<Record<TemplateKind, string>> = {
  AnalysisTemplate: 'analysistemplates',
  ClusterAnalysisTemplate: 'clusteranalysistemplates',
};

export const templateApiVersion = `${canaryGroup}/${canaryVersion}`;

/**
 * `status` of a template, written by the controller: `Ready` True when the spec is usable,
 * False with the validation message (and an Event) when it is not; `observedGeneration` is the
 * generation that verdict is about.
 */
export const templateStatusSchema = z.object({
  observedGeneration: z.number().int().nonnegative().default(0),
  conditions: z.array(conditionSchema).default([]),
});

export type TemplateStatus = z.output<typeof templateStatusSchema>;

/** Which template: a namespaced one (namespace set) or a cluster one (namespace null). */
export interface TemplateRef {
  readonly kind: TemplateKind;
  readonly namespace: string | null;
  readonly name: string;
}

/** A template as read from the cluster; `spec` is unchecked (the controller validates it). */
export interface TemplateObject {
  readonly apiVersion: string;
  readonly kind: TemplateKind;
  readonly metadata: V1ObjectMeta;
  readonly spec?: unknown;
  readonly status?: TemplateStatus;
}

/** "AnalysisTemplate shop/checkout" or "ClusterAnalysisTemplate linkerd": how messages name a template. */
export function templateLabel(ref: TemplateRef): string {
  return ref.namespace === null ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/** The object as the port hands it out: status parsed with defaults (a bad status reads as none). */
export function parseTemplate(raw: unknown): TemplateObject {
  const object = raw as { apiVersion?: string; kind?: string; metadata?: V1ObjectMeta; spec?: unknown; status?: unknown };
  const kind = object.kind === 'ClusterAnalysisTemplate' ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
  const status = templateStatusSchema.safeParse(object.status ?? {});
  return {
    apiVersion: object.apiVersion ?? templateApiVersion,
    kind,
    metadata: object.metadata ?? {},
    ...(object.spec === undefined ? {} : { spec: object.spec }),
    ...(status.success ? { status: status.data } : {}),
  };
}

// The Prometheus a template names, with its credentials read from the template's Secret (a
// namespaced template's in its own namespace, a cluster template's in the controller's). Read by
// name when an interval is due, never listed or cached: the values live only in the client built
// for them (prometheus-routed.ts). A missing Secret or key is a measurement error (the run
// pauses), naming the Secret and key, never a value.
import type { PrometheusRef } from '../config/analysis-extras.ts';
import { parseDuration } from '../config/values.ts';
import type { PrometheusTarget } from '../ports.ts';
import type { AppContext } from './context.ts';

export type TargetReading = { readonly kind: 'own' } | { readonly kind: 'target'; readonly target: PrometheusTarget } | { readonly kind: 'error'; readonly message: string };

function secretNamespace(ctx: AppContext): string {
  const source = ctx.analysis?.picked.pin.source;
  if (source?.kind === 'AnalysisTemplate' && source.namespace !== null) return source.namespace;
  return ctx.deps.controllerNamespace ?? 'fledge-system';
}

function decoded(data: Readonly<Record<string, string>> | undefined, key: string): string | null {
  const value = data?.[key];
  return value === undefined ? null : Buffer.from(value, 'base64').toString('utf8').trim();
}

async function credentials(ctx: AppContext, ref: NonNullable<PrometheusRef['secretRef']>): Promise<Partial<PrometheusTarget> | string> {
  const namespace = secretNamespace(ctx);
  const secret = await ctx.deps.cluster.getSecret(namespace, ref.name);
  const where = `Secret ${namespace}/${ref.name} of analysis template ${ctx.config.analysis.name}`;
  if (secret === null) return `${where} does not exist`;
  const keys = ref.tokenKey === undefined ? [ref.usernameKey ?? '', ref.passwordKey ?? ''] : [ref.tokenKey];
  const values = keys.map((key) => decoded(secret.data, key));
  const missing = keys.find((_key, i) => (values[i] ?? '') === '');
  if (missing !== undefined) return `${where} has no (or an empty) key "${missing}"`;
  const [first = '', second = ''] = values as string[];
  return ref.tokenKey === undefined ? { basicAuth: { username: first, password: second } } : { bearerToken: first };
}

/** Where this app's queries go: the controller's own Prometheus, the template's, or why neither. */
export async function prometheusTarget(ctx: AppContext): Promise<TargetReading> {
  const ref = ctx.config.analysis.prometheus;
  if (ref === undefined) return { kind: 'own' };
  const timeoutMs = ref.timeout === undefined ? null : parseDuration(ref.timeout);
  const base: PrometheusTarget = { url: ref.address, ...(timeoutMs === null ? {} : { timeoutMs }) };
  if (ref.secretRef === undefined) return { kind: 'target', target: base };
  const auth = await credentials(ctx, ref.secretRef);
  return typeof auth === 'string' ? { kind: 'error', message: auth } : { kind: 'target', target: { ...base, ...auth } };
}

// One instant query against the Prometheus HTTP API, as a value. `prometheus-query` stays the
// HTTP client; this wrapper adds what it lacks: a hard deadline per query, strict checking of
// the answer's shape (so garbage never reads as "no data"), no redirects, and messages made of
// fixed text only: whatever a server sends (bodies, error text, headers, a Location) is never
// repeated, so a hostile or misconfigured endpoint cannot put secrets into status, Events or logs.
import { PrometheusDriver } from 'prometheus-query';
import type { PrometheusConnectionOptions } from 'prometheus-query';
import { z } from 'zod';
import { authHeaders, displayUrl, redact, secretsOf } from './prometheus-auth.ts';
import type { PrometheusAuth } from './prometheus-auth.ts';

/** An instant query's answer: the sample values of an instant vector (a scalar counts as one), or why there are none. */
export type QueryAnswer =
  | { readonly kind: 'vector'; readonly values: readonly number[] }
  | { readonly kind: 'error'; readonly message: string };

/** One series of an instant vector: its labels (without `__name__`) and its value. */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** An instant query's answer with each series' labels (a scalar is one series without labels). */
export type SeriesAnswer =
  | { readonly kind: 'series'; readonly series: readonly Series[] }
  | { readonly kind: 'error'; readonly message: string };

export interface QueryClient {
  /** Evaluates `query` at `atMs`. Never rejects. Values are NaN for "NaN", "+Inf" and "-Inf". */
  instant(query: string, atMs: number): Promise<QueryAnswer>;
  /** As `instant`, keeping each series' labels (for batched queries split by label). */
  series(query: string, atMs: number): Promise<SeriesAnswer>;
}

export interface QueryClientOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly auth: PrometheusAuth;
}

type RequestConfig = Parameters<NonNullable<PrometheusConnectionOptions['requestInterceptor']>['onFulfilled']>[0];
type Response = Parameters<NonNullable<PrometheusConnectionOptions['responseInterceptor']>['onFulfilled']>[0];

/** Marks a rejection whose `message` is already the fixed sentence to show; not a FledgeError code. */
const answered = 'fledge:answered';
const maxBodyBytes = 4 * 1024 * 1024;

const sample = z.tuple([z.number(), z.string()]);
const successBody = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [
    z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sample })) }),
    z.object({ resultType: z.literal('scalar'), result: sample }),
    z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
    z.object({ resultType: z.literal('string'), result: z.unknown() }),
  ]),
});
/** The error types Prometheus's API documents; only these are ever named in a message. */
const errorType = z.enum(['bad_data', 'timeout', 'canceled', 'execution', 'internal', 'unavailable', 'not_found']);
const apiEnvelope = z.object({ status: z.string() });
const errorEnvelope = z.object({ status: z.literal('error'), errorType });

function reject(sentence: string): Promise<never> {
  return Promise.reject(Object.assign(new Error(sentence), { code: answered }));
}

/** What a non-2xx answer says, from its status and (for the API's error envelope) its errorType only. */
function describeAnswer(response: Response): string {
  const status = response.status;
  if (status >= 300 && status < 400) return `answered ${status} (redirects are not followed)`;
  if (!apiEnvelope.safeParse(response.data).success) return `answered HTTP ${status} with something that is not its API's JSON`;
  const envelope = errorEnvelope.safeParse(response.data);
  return `answered HTTP ${status}${envelope.success ? ` (${envelope.data.errorType})` : ''}`;
}

/**
 * The common answer, an instant vector, checked by hand: `successBody` says the same, but a
 * batched query's answer holds a series for every workload of a window (10,000 at 5000 apps), and
 * zod's check of each took a tenth of the controller's time there.
 */
function isVectorAnswer(data: unknown): boolean {
  const body = data as { status?: unknown; data?: { resultType?: unknown; result?: unknown } } | null;
  if (typeof body !== 'object' || body === null || body.status !== 'success') return false;
  const result = body.data?.resultType === 'vector' ? body.data.result : undefined;
  return Array.isArray(result) && (result as unknown[]).every(isVectorSample);
}

function isVectorSample(item: unknown): boolean {
  const { metric, value } = (item ?? {}) as { metric?: unknown; value?: unknown };
  return isLabelSet(metric) && Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string';
}

function isLabelSet(metric: unknown): boolean {
  if (typeof metric !== 'object' || metric === null || Array.isArray(metric)) return false;
  for (const name in metric) if (typeof (metric as Record<string, unknown>)[name] !== 'string') return false;
  return true;
}

function checkSuccess(response: Response): Response | Promise<never> {
  if (isVectorAnswer(response.data) || successBody.safeParse(response.data).success) return response;
  if (!apiEnvelope.safeParse(response.data).success) return reject(`answered HTTP ${response.status} with something that is not its API's JSON`);
  return reject(`answered HTTP ${response.status} with an answer that is not an instant query result`);
}

/** `error` is what axios rejected with: with a response, it becomes a fixed sentence; without (network, deadline), it goes on. */
function checkFailure(error: Error): Promise<never> {
  const response = (error as { response?: Response }).response;
  return response === undefined ? Promise.reject(error) : reject(describeAnswer(response));
}

function toAnswer(result: { resultType: string; result: unknown[] }): SeriesAnswer {
  if (result.resultType === 'vector') {
    const vector = result.result as { metric: { labels: Record<string, string> | undefined }; value: { value: number } }[];
    return { kind: 'series', series: vector.map((item) => ({ labels: item.metric.labels ?? {}, value: item.value.value })) };
  }
  if (result.resultType === 'scalar') {
    const [, value] = result.result as unknown as [number, string];
    return { kind: 'series', series: [{ labels: {}, value: Number(value) }] };
  }
  return { kind: 'error', message: `the query returned a ${result.resultType}; an instant vector or scalar is expected` };
}

interface FailureContext {
  readonly timeoutMs: number;
  readonly where: string;
}

function field(error: object, name: string): string | undefined {
  const value: unknown = (error as Record<string, unknown>)[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

const timeoutCodes = new Set(['ERR_CANCELED', 'ECONNABORTED', 'ETIMEDOUT']);

/** Our abort signal (ERR_CANCELED) fires only on the deadline, so a cancel is a timeout. */
function isTimeout(error: object): boolean {
  const code = field(error, 'code');
  return field(error, 'errorType') === 'timeout_error' || (code !== undefined && timeoutCodes.has(code));
}

/** A system error code (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED…) says enough; error text may quote the peer. */
function codeOf(error: object): string {
  const code = field(error, 'code');
  return code !== undefined && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : 'no details';
}

/** Turns prometheus-query's plain error objects (and thrown Errors) into one sentence of fixed text. */
function describeFailure(error: unknown, context: FailureContext): string {
  if (typeof error !== 'object' || error === null) return 'the query failed for an unknown reason';
  // prometheus-query throws Errors only while reading a result our schema already accepted.
  if (error instanceof Error) return `Prometheus at ${context.where} answered with something that is not an instant query result`;
  if (field(error, 'code') === answered) return `Prometheus at ${context.where} ${field(error, 'error') ?? 'answered'}`;
  if (isTimeout(error)) return `no answer from Prometheus at ${context.where} within ${context.timeoutMs} ms`;
  return `cannot reach Prometheus at ${context.where}: ${codeOf(error)}`;
}

/** Resolves to `answer` after `ms` unless cancelled. */
function deadline(ms: number, answer: SeriesAnswer): { promise: Promise<SeriesAnswer>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<SeriesAnswer>((resolve) => {
    timer = setTimeout(() => resolve(answer), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** A client for one Prometheus; safe to share between concurrent queries. */
export function createQueryClient(options: QueryClientOptions): QueryClient {
  const secrets = secretsOf(options.auth, options.url);
  const context: FailureContext = { timeoutMs: options.timeoutMs, where: displayUrl(options.url) };
  const driver = new PrometheusDriver({
    endpoint: options.url,
    baseURL: '/api/v1/',
    headers: authHeaders(options.auth),
    timeout: options.timeoutMs,
    requestInterceptor: {
      // The abort signal bounds the whole exchange (axios' own timeout only bounds idle sockets).
      onFulfilled: (config: RequestConfig): RequestConfig => {
        config.signal = AbortSignal.timeout(options.timeoutMs);
        config.maxContentLength = maxBodyBytes;
        // A redirect could lead the credentials (or the controller) anywhere, link-local included:
        // no redirect is followed, and a 3xx is an error like any other non-2xx.
        config.maxRedirects = 0;
        config.validateStatus = (status: number): boolean => status >= 200 && status < 300;
        return config;
      },
    },
    responseInterceptor: { onFulfilled: checkSuccess, onRejected: checkFailure },
  });
  const timedOut: SeriesAnswer = { kind: 'error', message: redact(describeFailure({ errorType: 'timeout_error' }, context), secrets) };
  const evaluationTimeout = `${Math.max(1, Math.ceil(options.timeoutMs / 1000))}s`;

  async function ask(query: string, atMs: number): Promise<SeriesAnswer> {
    try {
      return toAnswer(await driver.instantQuery(query, new Date(atMs), evaluationTimeout));
    } catch (error: unknown) {
      return { kind: 'error', message: redact(describeFailure(error, context), secrets) };
    }
  }

  async function series(query: string, atMs: number): Promise<SeriesAnswer> {
    // A backstop in case the HTTP stack ignores its abort signal: the answer comes in time regardless.
    const backstop = deadline(options.timeoutMs + 250, timedOut);
    const answer = await Promise.race([ask(query, atMs), backstop.promise]);
    backstop.cancel();
    return answer;
  }

  return {
    series,
    async instant(query, atMs) {
      const answer = await series(query, atMs);
      return answer.kind === 'error' ? answer : { kind: 'vector', values: answer.series.map((item) => item.value) };
    },
  };
}

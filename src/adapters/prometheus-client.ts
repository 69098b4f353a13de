// One instant query against the Prometheus HTTP API, as a value. `prometheus-query` stays the
// HTTP client; this wrapper adds what it lacks: a hard deadline per query, strict checking of
// the answer's shape (so garbage never reads as "no data"), and messages free of secrets.
import { PrometheusDriver } from 'prometheus-query';
import type { PrometheusConnectionOptions } from 'prometheus-query';
import { z } from 'zod';
import { authHeaders, displayUrl, redact, secretsOf } from './prometheus-auth.ts';
import type { PrometheusAuth } from './prometheus-auth.ts';

/** An instant query's answer: the sample values of an instant vector (a scalar counts as one), or why there are none. */
export type QueryAnswer =
  | { readonly kind: 'vector'; readonly values: readonly number[] }
  | { readonly kind: 'error'; readonly message: string };

export interface QueryClient {
  /** Evaluates `query` at `atMs`. Never rejects. Values are NaN for "NaN", "+Inf" and "-Inf". */
  instant(query: string, atMs: number): Promise<QueryAnswer>;
}

export interface QueryClientOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly auth: PrometheusAuth;
}

type RequestConfig = Parameters<NonNullable<PrometheusConnectionOptions['requestInterceptor']>['onFulfilled']>[0];
type Response = Parameters<NonNullable<PrometheusConnectionOptions['responseInterceptor']>['onFulfilled']>[0];

const badBody = 'FLEDGE_BAD_BODY';
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
const errorBody = z.object({ status: z.literal('error'), error: z.string() });

/** The marker a rejected interceptor hands to prometheus-query; it comes back as `code`/`error`. */
function rejectBody(response: Response, what: string): Promise<never> {
  const snippet = typeof response.data === 'string' ? `: ${oneLine(response.data).slice(0, 80)}` : '';
  return Promise.reject(Object.assign(new Error(`HTTP ${response.status} with ${what}${snippet}`), { code: badBody }));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function checkSuccess(response: Response): Response | Promise<never> {
  if (successBody.safeParse(response.data).success) return response;
  const data: unknown = response.data;
  const isApiShaped = typeof data === 'object' && data !== null && 'status' in data;
  return rejectBody(response, isApiShaped ? 'an answer that is not an instant query result' : 'a body that is not a Prometheus API response');
}

/** `error` is what axios rejected with (an AxiosError); it goes on to prometheus-query unchanged unless its body is garbage. */
function checkFailure(error: Error): Promise<never> {
  const response = (error as { response?: Response }).response;
  if (response === undefined || errorBody.safeParse(response.data).success) return Promise.reject(error);
  return rejectBody(response, 'a body that is not a Prometheus API response');
}

function toAnswer(result: { resultType: string; result: unknown[] }): QueryAnswer {
  if (result.resultType === 'vector') {
    const vector = result.result as { value: { value: number } }[];
    return { kind: 'vector', values: vector.map((item) => item.value.value) };
  }
  if (result.resultType === 'scalar') {
    const [, value] = result.result as unknown as [number, string];
    return { kind: 'vector', values: [Number(value)] };
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

/** Turns prometheus-query's plain error objects (and thrown Errors) into one sentence. */
function describeFailure(error: unknown, context: FailureContext): string {
  if (error instanceof Error) return `the answer is not a query result (${error.message})`;
  if (typeof error !== 'object' || error === null) return 'the query failed for an unknown reason';
  const code = field(error, 'code');
  const text = oneLine(field(error, 'error') ?? 'no details').slice(0, 300);
  if (code === badBody) return `Prometheus at ${context.where} answered ${text}`;
  if (isTimeout(error)) {
    return `no answer from Prometheus at ${context.where} within ${context.timeoutMs} ms`;
  }
  if (field(error, 'errorType') === 'http_error') {
    return `Prometheus at ${context.where} answered HTTP ${field(error, 'httpStatus') ?? '?'}: ${text}`;
  }
  return `cannot reach Prometheus at ${context.where}: ${text}`;
}

/** Resolves to `answer` after `ms` unless cancelled. */
function deadline(ms: number, answer: QueryAnswer): { promise: Promise<QueryAnswer>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<QueryAnswer>((resolve) => {
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
        return config;
      },
    },
    responseInterceptor: { onFulfilled: checkSuccess, onRejected: checkFailure },
  });
  const timedOut: QueryAnswer = { kind: 'error', message: redact(describeFailure({ errorType: 'timeout_error' }, context), secrets) };
  const evaluationTimeout = `${Math.max(1, Math.ceil(options.timeoutMs / 1000))}s`;

  async function ask(query: string, atMs: number): Promise<QueryAnswer> {
    try {
      return toAnswer(await driver.instantQuery(query, new Date(atMs), evaluationTimeout));
    } catch (error: unknown) {
      return { kind: 'error', message: redact(describeFailure(error, context), secrets) };
    }
  }

  return {
    async instant(query, atMs) {
      // A backstop in case the HTTP stack ignores its abort signal: the answer comes in time regardless.
      const backstop = deadline(options.timeoutMs + 250, timedOut);
      const answer = await Promise.race([ask(query, atMs), backstop.promise]);
      backstop.cancel();
      return answer;
    },
  };
}

// Maps what @kubernetes/client-node throws (ApiException, fetch/network errors) to FledgeError,
// keeping the HTTP status so callers can tell "not found" from "refused".
import { ApiException } from '@kubernetes/client-node';
import { FledgeError } from '../../errors.ts';
import type { ErrorCode } from '../../errors.ts';

/** A FledgeError from the Kubernetes API; `status` is the HTTP status, null for network errors. */
export class KubeApiError extends FledgeError {
  readonly status: number | null;

  constructor(code: ErrorCode, message: string, options: { status: number | null; cause: unknown }) {
    super(code, message, { cause: options.cause });
    this.name = 'KubeApiError';
    this.status = options.status;
  }
}

const networkCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

/** The HTTP status of an API error, or null when there was no HTTP answer. */
export function statusOf(error: unknown): number | null {
  if (error instanceof KubeApiError) return error.status;
  if (error instanceof ApiException) return error.code;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : null;
}

/** True when the API said 404 (before or after mapping). */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

export function codeForStatus(status: number): ErrorCode {
  if (status === 409) return 'FLEDGE_API_CONFLICT';
  if (status === 429 || status >= 500) return 'FLEDGE_API_UNAVAILABLE';
  return 'FLEDGE_API_REJECTED';
}

/** The `message` of a Kubernetes Status body, when the body is one. */
function statusMessage(body: unknown): string | null {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.length > 0 ? body.slice(0, 300) : null;
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : null;
}

/** TransportError: a plain JSON request (json-requests.ts) that got no answer. */
const networkNames = new Set(['AbortError', 'TimeoutError', 'FetchError', 'TransportError']);

/** node-fetch FetchError (type "system"/"request-timeout"), TransportError, aborts, and socket error codes, also as a cause. */
function isNetworkError(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 3) return false;
  const e = error as { code?: unknown; type?: unknown; name?: unknown; cause?: unknown };
  const marks = [
    typeof e.code === 'string' && networkCodes.has(e.code),
    e.type === 'system' || e.type === 'request-timeout',
    typeof e.name === 'string' && networkNames.has(e.name),
  ];
  return marks.some(Boolean) || isNetworkError(e.cause, depth + 1);
}

/**
 * Maps what an API call threw: 409 → FLEDGE_API_CONFLICT; 429, 5xx and network failures →
 * FLEDGE_API_UNAVAILABLE (retryable); other 4xx → FLEDGE_API_REJECTED. FledgeErrors pass
 * through; anything else (a bug, not an API answer) is returned unchanged.
 */
export function mapApiError(error: unknown, doing: string): unknown {
  if (error instanceof FledgeError) return error;
  const status = statusOf(error);
  if (status !== null) {
    const detail = error instanceof ApiException ? statusMessage(error.body) : null;
    const message = `${doing}: HTTP ${status}${detail === null ? '' : `: ${detail}`}`;
    return new KubeApiError(codeForStatus(status), message, { status, cause: error });
  }
  // Refused unsent by the keep-alive pool's fence (keep-alive.ts): node-fetch keeps the code.
  if ((error as { code?: unknown } | null)?.code === 'FLEDGE_NOT_LEADER') {
    return new FledgeError('FLEDGE_NOT_LEADER', `${doing}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (isNetworkError(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new KubeApiError('FLEDGE_API_UNAVAILABLE', `${doing}: ${reason}`, { status: null, cause: error });
  }
  return error;
}

/** Runs API calls with errors mapped by mapApiError; `observe` sees every mapped FledgeError (metrics). */
export interface ApiCaller {
  /** Runs `call`; a failure is thrown mapped. */
  readonly call: <T>(doing: string, call: () => Promise<T>) => Promise<T>;
  /** Like `call`, but a 404 answer is null (reads of objects that may not exist). */
  readonly read: <T>(doing: string, call: () => Promise<T>) => Promise<T | null>;
  /** Like `call`, but a 404 answer is success (idempotent deletes). */
  readonly remove: (doing: string, call: () => Promise<unknown>) => Promise<void>;
}

export function createApiCaller(observe: (error: FledgeError) => void = () => undefined): ApiCaller {
  const fail = (error: unknown, doing: string): never => {
    const mapped = mapApiError(error, doing);
    if (mapped instanceof FledgeError) observe(mapped);
    throw mapped;
  };
  return {
    call: async (doing, call) => {
      try {
        return await call();
      } catch (error) {
        return fail(error, doing);
      }
    },
    read: async (doing, call) => {
      try {
        return await call();
      } catch (error) {
        return isNotFound(error) ? null : fail(error, doing);
      }
    },
    remove: async (doing, call) => {
      try {
        await call();
      } catch (error) {
        if (!isNotFound(error)) fail(error, doing);
      }
    },
  };
}

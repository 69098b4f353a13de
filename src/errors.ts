// Every thrown error carries a stable code and says whether retrying can help.
// The README's "Error codes" table is checked against `errorCodes` by a test.

export const errorCodes = {
  FLEDGE_CONFIG_INVALID: { retryable: false, meaning: 'An annotation, flag or catalog file has a bad value.' },
  FLEDGE_CATALOG_INVALID: { retryable: false, meaning: 'A file in analysis/ or strategies/ does not match its schema.' },
  FLEDGE_API_CONFLICT: { retryable: true, meaning: 'The Kubernetes API answered 409: the object changed; re-read and retry.' },
  FLEDGE_API_UNAVAILABLE: { retryable: true, meaning: 'The Kubernetes API answered 429/5xx or could not be reached.' },
  FLEDGE_API_REJECTED: { retryable: false, meaning: 'The Kubernetes API refused a request (400/403/404/422).' },
  FLEDGE_ROUTE_FOREIGN: { retryable: false, meaning: 'A TrafficSplit of that name exists and is not managed by Fledge.' },
  FLEDGE_OBJECT_FOREIGN: { retryable: false, meaning: 'An object Fledge would create or change (a `-primary` Deployment, Service, ConfigMap or Secret) exists and is not owned by the app\'s Canary: it is reported, never adopted.' },
  FLEDGE_NOT_LEADER: { retryable: false, meaning: 'This replica no longer holds the leader lease (or is stopping): it makes no more writes.' },
  FLEDGE_USAGE: { retryable: false, meaning: 'A command was called with bad flags or arguments.' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class FledgeError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FledgeError';
    this.code = code;
    this.retryable = errorCodes[code].retryable;
  }
}

export function isFledgeError(error: unknown): error is FledgeError {
  return error instanceof FledgeError;
}

// Status bodies exactly as the real API server writes them (reason, message, details, code).
import type { ResourceType, StatusBody, StatusCause, StatusDetails } from './types.ts';

function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusBody {
  const base = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason } as const;
  return details === undefined ? { ...base, code } : { ...base, details, code };
}

/** `deployments.apps` or `configmaps`: how messages name a resource. */
export function qualifiedResource(type: Pick<ResourceType, 'plural' | 'group'>): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

function resourceDetails(type: Pick<ResourceType, 'plural' | 'group'>, name: string): StatusDetails {
  return type.group === '' ? { name, kind: type.plural } : { name, group: type.group, kind: type.plural };
}

export function notFound(type: Pick<ResourceType, 'plural' | 'group'>, name: string): StatusBody {
  return failure(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, resourceDetails(type, name));
}

export function alreadyExists(type: Pick<ResourceType, 'plural' | 'group'>, name: string): StatusBody {
  return failure(409, 'AlreadyExists', `${qualifiedResource(type)} "${name}" already exists`, resourceDetails(type, name));
}

export function conflict(type: Pick<ResourceType, 'plural' | 'group'>, name: string, why?: string): StatusBody {
  const reason = why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  const message = `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${reason}`;
  return failure(409, 'Conflict', message, resourceDetails(type, name));
}

/** 422: `Deployment.apps "web" is invalid: spec.selector: Required value`. */
export function invalid(type: Pick<ResourceType, 'kind' | 'group'>, name: string, causes: readonly StatusCause[]): StatusBody {
  const qualifiedKind = type.group === '' ? type.kind : `${type.kind}.${type.group}`;
  const parts = causes.map((c) => (c.field === undefined ? c.message : `${c.field}: ${c.message}`));
  const summary = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
  const details: StatusDetails = { name, kind: type.kind, causes: [...causes] };
  if (type.group !== '') details.group = type.group;
  return failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, details);
}

export function badRequest(message: string): StatusBody {
  return failure(400, 'BadRequest', message);
}

export function forbidden(message: string, details?: StatusDetails): StatusBody {
  return failure(403, 'Forbidden', message, details);
}

/** 401 for a missing or unknown token, as the real server answers it. */
export function unauthorized(): StatusBody {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function gone(message: string): StatusBody {
  return failure(410, 'Expired', message);
}

export function tooManyRequests(retryAfterSeconds: number): StatusBody {
  const message = 'Too many requests, please try again later.';
  return failure(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function internalError(message: string): StatusBody {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: '', message }] });
}

/** A request body over the API server's 3 MiB limit (MaxRequestBodyBytes). */
export function requestTooLarge(limit: number): StatusBody {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** An object over etcd's request limit (1.5 MiB): the API server passes etcd's error on. */
export function storageTooLarge(): StatusBody {
  return failure(500, 'InternalError', 'etcdserver: request is too large');
}

export function methodNotAllowed(message: string): StatusBody {
  return failure(405, 'MethodNotAllowed', message);
}

export function unsupportedMediaType(contentType: string): StatusBody {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`);
}

/** The server's 404 for paths it does not serve at all. */
export function pathNotFound(): StatusBody {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function success(type: Pick<ResourceType, 'plural' | 'group'>, name: string, uid: string): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...resourceDetails(type, name), uid }, code: 200 };
}

// PATCH bodies by content type. Strategic merge applies to built-in kinds only; for custom
// resources it is treated as a merge patch (the real server answers 415 there).
import { parse as parseYaml } from 'yaml';
import { isRecord, parseJson, rec, str } from '../json.ts';
import { badRequest, invalid, unsupportedMediaType } from '../status.ts';
import { fail, ok, type ResourceType, type Result } from '../types.ts';
import { applyJsonPatch } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { applyStrategicMergePatch } from './strategic-merge.ts';

export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';

const kinds: Readonly<Record<string, PatchKind>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function patchKind(contentType: string | undefined): Result<PatchKind> {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const kind = kinds[media];
  return kind === undefined ? fail(unsupportedMediaType(media)) : ok(kind);
}

/** The body of a PATCH as a document: JSON, or YAML for server-side apply. */
export function parsePatchBody(kind: PatchKind, text: string): Result<unknown> {
  if (kind === 'apply') {
    try {
      return ok(parseYaml(text) as unknown);
    } catch (error) {
      return fail(badRequest(`error decoding YAML: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
  const parsed = parseJson(text);
  return parsed.ok ? ok(parsed.value) : fail(badRequest(`error decoding patch: ${parsed.error}`));
}

/** True for kinds the real server knows strategic-merge metadata for. */
export function isBuiltin(type: ResourceType): boolean {
  return type.crd === undefined;
}

function jsonPatch(type: ResourceType, current: unknown, patch: unknown): Result<unknown> {
  const result = applyJsonPatch(current, patch);
  if (result.ok) return ok(result.value);
  const name = str(rec(rec(current)['metadata'])['name']);
  return fail(invalid(type, name, [{ reason: 'FieldValueInvalid', field: 'patch', message: result.error }]));
}

/** Applies a parsed patch to the current document (as served at the requested version). */
export function applyPatch(kind: PatchKind, type: ResourceType, current: unknown, patch: unknown): Result<unknown> {
  if (kind === 'json') return jsonPatch(type, current, patch);
  if (!isRecord(patch)) return fail(badRequest('the patch must be a JSON object'));
  const strategic = kind !== 'merge' && isBuiltin(type);
  return ok(strategic ? applyStrategicMergePatch(current, patch) : applyMergePatch(current, patch));
}

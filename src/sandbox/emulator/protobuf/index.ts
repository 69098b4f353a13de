// `application/vnd.kubernetes.protobuf` request bodies (kubectl's typed clients send them for
// `kubectl create namespace|configmap|secret|service|deployment`), decoded into JSON objects.
import { rec, str } from '../json.ts';
import { badRequest, unsupportedMediaType } from '../status.ts';
import { fail, ok, type Result } from '../types.ts';
import { decodeMessage } from './decode.ts';
import { kindSchemas, unknownEnvelope } from './schemas.ts';

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

const magic = [0x6b, 0x38, 0x73, 0x00];

export function decodeKubeProtobuf(body: Uint8Array): Result<Record<string, unknown>> {
  if (magic.some((byte, i) => body[i] !== byte)) return fail(badRequest('protobuf body without the k8s envelope'));
  try {
    const envelope = decodeMessage(body.subarray(magic.length), unknownEnvelope);
    const typeMeta = rec(envelope['typeMeta']);
    const apiVersion = str(typeMeta['apiVersion']);
    const kind = str(typeMeta['kind']);
    const schema = kindSchemas[`${apiVersion}/${kind}`];
    if (schema === undefined) return fail(unsupportedMediaType(`${protobufMediaType} (${apiVersion} ${kind}; protobuf is read for ${Object.keys(kindSchemas).join(', ')})`));
    const raw = envelope['raw'] instanceof Uint8Array ? envelope['raw'] : new Uint8Array();
    return ok({ apiVersion, kind, ...decodeMessage(raw, schema) });
  } catch (error) {
    return fail(badRequest(`malformed protobuf body: ${error instanceof Error ? error.message : String(error)}`));
  }
}

// Plain JSON requests for the controller's most frequent writes: a Canary's status, a
// TrafficSplit, a Deployment's scale, an Event. Each call through client-node 1.4's API classes passes
// node-fetch, its Headers, the ObjectSerializer and a chain of middleware promises: a status write
// costs the controller's process about 0.09–0.11 ms of CPU that way and 0.054–0.057 ms as a plain request
// (`npm run bench:requests`, bench/results/requests.md). With thousands of apps entering their
// next step at once, that CPU is what their step starts wait for.
//
// Nothing else changes: the request is authenticated the way every client-node request is
// (KubeConfig.applyToHTTPSOptions: certificates, bearer tokens, token files, exec and auth
// providers), goes through the same keep-alive pool and its write fence (keep-alive.ts) with the
// same User-Agent, and an HTTP error answer is thrown as the ApiException client-node throws, so
// createApiCaller maps it the same way (409 → FLEDGE_API_CONFLICT, and so on).
//
// That set-up serves one second of requests (setupTtlMs), not one: client-node builds it anew for
// each (in a cluster it reads the CA file, asks the token file's provider, makes an Agent the pool
// then maps back to its own by comparing certificates), about 10 µs a request in a loop and several
// times that in a busy controller. A rotated token or certificate is used from the next second on
// (client-node itself re-reads a token file once a minute).
import http from 'node:http';
import https from 'node:https';
import { ApiException } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../ports.ts';
import { pooledAgent } from './keep-alive.ts';

export type WriteMethod = 'POST' | 'PUT' | 'PATCH';

export interface JsonRequests {
  /** Sends `body` as JSON (content type `contentType`) to `path` and returns the parsed answer; an HTTP error answer is thrown as an ApiException. */
  readonly send: (method: WriteMethod, path: string, body: unknown, contentType?: string) => Promise<unknown>;
}

export const mergePatchType = 'application/merge-patch+json';

/** The path of a namespaced resource of an API group, or of its collection without `name`, as client-node builds it (names URI-encoded). */
export function resourcePath(ref: { group: string; version: string; plural: string; namespace: string; name?: string | undefined; subresource?: string | undefined }): string {
  // The core group ('') is served under /api, every other under /apis.
  const root = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const collection = `${root}/namespaces/${encodeURIComponent(ref.namespace)}/${ref.plural}`;
  if (ref.name === undefined) return collection;
  return `${collection}/${encodeURIComponent(ref.name)}${ref.subresource === undefined ? '' : `/${ref.subresource}`}`;
}

type Agent = http.Agent | https.Agent;

/** No HTTP answer came (refused, reset, a certificate not trusted): mapApiError makes it FLEDGE_API_UNAVAILABLE, as node-fetch's FetchError. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
}

/** A request the fence refused keeps its own error (FLEDGE_NOT_LEADER); any other failure to send is a TransportError. */
function unsent(error: Error, method: string, url: URL): Error {
  if ((error as { code?: unknown }).code === 'FLEDGE_NOT_LEADER') return error;
  return new TransportError(`${method} ${url.pathname}: ${error.message}`, { cause: error });
}

/** The parsed answer; an HTTP error as client-node throws it (the Status body is what mapApiError reports). */
function answerOf(status: number, text: string, headers: http.IncomingHttpHeaders, what: string): unknown {
  if (status < 200 || status >= 300) {
    const flat = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
    throw new ApiException(status, 'Unknown API Status Code!', text, flat);
  }
  try {
    return text === '' ? undefined : JSON.parse(text) as unknown;
  } catch {
    // A proxy's page in between, say: not an answer of the API server, and nothing to act on.
    throw new TransportError(`${what}: the answer (HTTP ${status}) is not JSON: ${text.slice(0, 100)}`);
  }
}

/** How long one request's set-up (certificates, token, pooled agent) serves the requests after it. */
export const setupTtlMs = 1_000;

/** What applyToHTTPSOptions set up, ready for the next requests to the same cluster. */
interface Setup {
  readonly at: number;
  /** The cluster's server without trailing slashes: a server with a path (behind a proxy: https://host/k8s/clusters/x) keeps it. */
  readonly server: string;
  /** TLS settings and the like (and a basic-auth user), without the agent and headers. */
  readonly options: https.RequestOptions;
  readonly headers: Readonly<Record<string, string | number | string[]>>;
  readonly agent: Agent;
  readonly userAgent: string | undefined;
}

/** One set-up per KubeConfig, shared by every jsonRequests made from it. */
const setups = new WeakMap<KubeConfig, Setup>();

async function setUp(kc: KubeConfig, at: number): Promise<Setup> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('the Kubernetes configuration has no current cluster');
  const options: https.RequestOptions & { headers: Record<string, string | number | string[]> } = { headers: {} };
  // Certificates, tokens and the agent those call for, as client-node sets up each of its requests.
  await kc.applyToHTTPSOptions(options);
  // Set for every request by client-node's own path, with a user in the kubeconfig or not (applyToHTTPSOptions skips them without one).
  if (cluster.skipTLSVerify === true) options.rejectUnauthorized = false;
  if (cluster.tlsServerName !== undefined) options.servername = cluster.tlsServerName;
  const { agent, userAgent } = pooledAgent(kc, options.agent as Agent);
  const { headers, agent: _agent, ...rest } = options;
  return { at, server: cluster.server.replace(/\/+$/, ''), options: rest, headers, agent, userAgent };
}

/** The set-up for a request now: the kept one while it is younger than setupTtlMs, else a new one. */
async function setupFor(kc: KubeConfig, now: number): Promise<Setup> {
  const kept = setups.get(kc);
  if (kept !== undefined && now - kept.at < setupTtlMs && now >= kept.at) return kept;
  const fresh = await setUp(kc, now);
  setups.set(kc, fresh);
  return fresh;
}

/** JSON requests to the current cluster of `kc` (which withKeepAlive may have given a pool). */
export function jsonRequests(kc: KubeConfig, clock: Clock = Date): JsonRequests {
  return {
    send: async (method, path, body, contentType = 'application/json') => {
      const setup = await setupFor(kc, clock.now());
      const url = new URL(setup.server + path);
      // Encoded once: a string body is flattened to count its bytes, then encoded again as it is written.
      const payload = Buffer.from(JSON.stringify(body), 'utf8');
      const headers = {
        ...setup.headers,
        'Content-Type': contentType,
        Accept: 'application/json',
        'Content-Length': payload.length,
        ...(setup.userAgent === undefined ? {} : { 'User-Agent': setup.userAgent }),
      };
      const request = (url.protocol === 'https:' ? https : http).request;
      return new Promise((resolve, reject) => {
        const sent = request(url, { ...setup.options, method, agent: setup.agent, headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => reject(unsent(error, method, url)));
          response.on('end', () => {
            try {
              resolve(answerOf(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), response.headers, `${method} ${url.pathname}`));
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        });
        sent.on('error', (error) => reject(unsent(error, method, url)));
        sent.end(payload);
      });
    },
  };
}

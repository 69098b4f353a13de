// A small JSON client for the bench's own calls to the emulator: node:http on one keep-alive
// agent, so the bench's load on the API, and on the machine's two cores, stays light next to the
// controller's. (Through fetch, sending the release's 1000 changes took up to 0.85 of a core
// while they went out, CPU the controller under test then lacked.)
import http from 'node:http';
import { parseAllDocuments } from 'yaml';
import { readFile } from 'node:fs/promises';
import { adminToken } from '../../src/sandbox/emulator/authn.ts';

/** The emulator authenticates every request; the bench acts as its cluster admin. */
export const adminAuthorization = { Authorization: `Bearer ${adminToken}` } as const;

export interface Api {
  readonly url: string;
  request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function apiAt(url: string): Api {
  const base = new URL(url);
  if (base.protocol !== 'http:') throw new Error(`the bench talks plain HTTP to its emulator, not ${base.protocol} (${url})`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return {
    url,
    request: <T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
      const headers = { ...adminAuthorization, Accept: 'application/json', ...(payload === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': payload.length }) };
      return new Promise<T>((resolve, reject) => {
        const sent = http.request({ host: base.hostname, port: base.port, path, method, agent, headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            if (status < 200 || status >= 300) reject(new ApiError(status, `${method} ${path}: ${status} ${text.slice(0, 300)}`));
            else {
              try {
                resolve(JSON.parse(text) as T);
              } catch (error) {
                reject(error instanceof Error ? error : new Error(String(error)));
              }
            }
          });
        });
        sent.on('error', reject);
        sent.end(payload);
      });
    },
  };
}

/** Creates every object of the YAML files (CRDs here) and waits until their APIs are served. */
export async function applyCrds(api: Api, files: readonly URL[]): Promise<void> {
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const object = doc.toJSON() as { kind?: string } | null;
      if (object?.kind === 'CustomResourceDefinition') await api.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', object);
    }
  }
  for (let i = 0; i < 100; i += 1) {
    const served = await api.request('GET', '/apis/fledge.dev/v1alpha1/canaries').then(() => true, () => false);
    if (served) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the Canary API was not served within 10 s');
}

/** Runs `task` for every item with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

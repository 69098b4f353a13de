// A small JSON client for the bench's own calls to the emulator (keep-alive fetch), so the
// bench's load on the API stays light next to the controller's.
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
  return {
    url,
    request: async <T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...adminAuthorization, 'Content-Type': contentType, Accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new ApiError(response.status, `${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as T;
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

// Builders shared by the emulator contract tests.
import { readFileSync } from 'node:fs';
import { ApiException, type V1CustomResourceDefinition, type V1Deployment } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

export function deployment(name: string, overrides: { replicas?: number; image?: string; labels?: Record<string, string>; progressDeadlineSeconds?: number } = {}): V1Deployment {
  const labels = overrides.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: overrides.replicas ?? 1,
      ...(overrides.progressDeadlineSeconds === undefined ? {} : { progressDeadlineSeconds: overrides.progressDeadlineSeconds }),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: overrides.image ?? 'example/app:1', ports: [{ containerPort: 8080 }], env: [{ name: 'MODE', value: 'a' }] }] },
      },
    },
  };
}

/** The CRDs of a reference file, as objects. */
export function referenceCrds(file: string): V1CustomResourceDefinition[] {
  const text = readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJSON() as V1CustomResourceDefinition | null).filter((d) => d !== null);
}

/** A Status body as the emulator answers it. */
export interface StatusBody {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly details: { name?: string; group?: string; kind?: string; causes: { field: string; reason: string; message: string }[] };
}

/** The Status body of a failed call, parsed. */
export async function statusOf(call: Promise<unknown>): Promise<{ code: number; body: StatusBody }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) {
      const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as StatusBody;
      return { code: error.code, body };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Polls `check` until it returns a value other than undefined (bounded). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

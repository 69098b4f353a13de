// Watches one collection of the emulator and calls back for every event with its arrival time.
// Reconnects from the last resourceVersion when the server closes the stream; relists on 410.
import { adminAuthorization, type Api } from './api.ts';

export interface WatchedObject {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly resourceVersion?: string };
  readonly spec?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
}

export type OnEvent = (type: string, object: WatchedObject, at: number) => void;

export interface Watcher {
  stop(): void;
}

interface List {
  readonly metadata: { readonly resourceVersion: string };
  readonly items: WatchedObject[];
}

async function stream(api: Api, input: { path: string; resourceVersion: string; signal: AbortSignal; onEvent: OnEvent }): Promise<string | null> {
  let version = input.resourceVersion;
  const response = await fetch(`${api.url}${input.path}?watch=true&resourceVersion=${version}`, { headers: adminAuthorization, signal: input.signal });
  if (response.body === null) return version;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      if (line === '') continue;
      const event = JSON.parse(line) as { type: string; object: WatchedObject & { code?: number } };
      if (event.type === 'ERROR') return null; // e.g. 410 Gone: relist
      version = event.object.metadata.resourceVersion ?? version;
      input.onEvent(event.type, event.object, Date.now());
    }
  }
  return version;
}

/** Lists `path` (each item is reported as ADDED) and then watches it until stop(). */
export function watchCollection(api: Api, path: string, onEvent: OnEvent): Watcher {
  const controller = new AbortController();
  const loop = async (): Promise<void> => {
    let version: string | null = null;
    while (!controller.signal.aborted) {
      if (version === null) {
        const list = await api.request<List>('GET', path);
        const at = Date.now();
        for (const item of list.items) onEvent('ADDED', item, at);
        version = list.metadata.resourceVersion;
      }
      version = await stream(api, { path, resourceVersion: version, signal: controller.signal, onEvent }).catch((error: unknown) => {
        if (controller.signal.aborted) return null;
        throw error;
      });
    }
  };
  void loop().catch((error: unknown) => {
    if (!controller.signal.aborted) process.stderr.write(`watch ${path} failed: ${String(error)}\n`);
  });
  return { stop: () => controller.abort() };
}

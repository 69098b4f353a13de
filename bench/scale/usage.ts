// What the controller process reports about itself over IPC (see bench/scale-controller.ts).

export interface Usage {
  /** ms since the process started. */
  readonly uptimeMs: number;
  /** User + system CPU time in ms. */
  readonly cpuMs: number;
  /** Peak resident set size in bytes (whole lifetime). */
  readonly maxRssBytes: number;
  readonly rssBytes: number;
  /** V8 heap in use when the snapshot was taken (live objects plus garbage not yet collected). */
  readonly heapUsedBytes: number;
  /** The heap in use after a full collection (asked for after the release only): what the controller keeps alive. */
  readonly liveHeapBytes?: number;
  /** process.memoryUsage() at the snapshot (heapTotal, external, arrayBuffers tell where RSS beyond the heap goes). */
  readonly memory?: NodeJS.MemoryUsage;
  /** V8's heap spaces at the snapshot: MiB each space holds from the OS (committed) and in objects (used). */
  readonly heapSpaces?: Readonly<Record<string, { readonly committedMiB: number; readonly usedMiB: number }>>;
  /** Calls of the generated API clients. */
  readonly apiRequests: number;
  /** Requests made through fetch options: the informers' watches. */
  readonly watchRequests: number;
  readonly measurements: number;
  readonly reconciles: number;
  readonly reconcileFailures: number;
  /** ms the controller spent judging once per interval because its work queue was behind (sampled every 100 ms). */
  readonly coarseMs: number;
  /** API requests by verb and kind (see request-kinds.ts). */
  readonly byKind: Readonly<Record<string, number>>;
  /** Time (ms since the epoch) and kind of every API request about a sample of the apps, by app. */
  readonly sampled: Readonly<Record<string, ReadonlyArray<readonly [number, string]>>>;
}

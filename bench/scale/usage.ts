// What the controller process reports about itself over IPC (see bench/scale-controller.ts).

export interface Usage {
  /** ms since the process started. */
  readonly uptimeMs: number;
  /** User + system CPU time in ms. */
  readonly cpuMs: number;
  /** Peak resident set size in bytes (whole lifetime). */
  readonly maxRssBytes: number;
  readonly rssBytes: number;
  /** Calls of the generated API clients. */
  readonly apiRequests: number;
  /** Requests made through fetch options: the informers' watches. */
  readonly watchRequests: number;
  readonly measurements: number;
  readonly reconciles: number;
  readonly reconcileFailures: number;
}

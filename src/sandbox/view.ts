// What the sandbox shows: on a terminal, a panel redrawn in place (phase, step, weight bar,
// canary-vs-primary failure rate and p99, the judge's evidence and last reason); elsewhere, one
// plain log line whenever something a person would notice changes.

export interface MetricLine {
  readonly name: string;
  readonly canaryRequests: number;
  readonly canaryEvents: number;
  readonly primaryRequests: number;
  readonly primaryEvents: number;
  /** How far the harm evidence has come towards the rollback threshold (status.evidence): 1 rolls back; null unknown. */
  readonly towardRollback: number | null;
}

export interface SideStats {
  /** Failure share 0..1 over the last few seconds; null without requests. */
  readonly failureRate: number | null;
  readonly p99Ms: number | null;
}

export interface CanaryPanel {
  readonly name: string;
  readonly phase: string;
  /** 1-based step of `steps` (0 when no step is in progress, shown as "-"). */
  readonly step: number;
  readonly steps: number;
  readonly canaryWeight: number;
  readonly image: string;
  readonly message: string;
  readonly canary: SideStats;
  readonly primary: SideStats;
  readonly evidence: readonly MetricLine[];
}

export interface ViewModel {
  readonly title: string;
  readonly elapsedMs: number;
  readonly metricsSource: string;
  readonly canaries: readonly CanaryPanel[];
  /** Last few scenario events (release applied, outage started …), newest last. */
  readonly events: readonly string[];
}

const barWidth = 30;

export function weightBar(weight: number, width = barWidth): string {
  const filled = Math.round((Math.max(0, Math.min(100, weight)) / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(weight).padStart(3)}%`;
}

function percent(rate: number | null): string {
  return rate === null ? '   –  ' : `${(rate * 100).toFixed(2).padStart(5)}%`;
}

function ms(value: number | null): string {
  return value === null ? '    –   ' : `${value.toFixed(0).padStart(5)} ms`;
}

/** "evidence 49% of the way to a rollback", "evidence at the rollback threshold". */
export function towardText(toward: number | null): string {
  if (toward === null) return '';
  return toward >= 1 ? 'evidence at the rollback threshold' : `evidence ${Math.floor(toward * 100)}% of the way to a rollback`;
}

function evidenceLine(metric: MetricLine): string {
  const rate = (events: number, requests: number): string => (requests > 0 ? `${events}/${requests}` : '–');
  return `    ${metric.name.padEnd(8)} canary ${rate(metric.canaryEvents, metric.canaryRequests).padEnd(12)} primary ${rate(metric.primaryEvents, metric.primaryRequests).padEnd(12)} ${towardText(metric.towardRollback)}`;
}

/** "2/3", or "-" when no step is in progress: the numbering of kubectl's STEP column. */
function stepOf(panel: CanaryPanel): string {
  return panel.step > 0 ? `${panel.step}/${panel.steps}` : '-';
}

export function panelLines(panel: CanaryPanel): string[] {
  return [
    `${panel.name}  ${panel.phase.padEnd(12)} step ${stepOf(panel)}  ${weightBar(panel.canaryWeight)}  canary image ${panel.image}`,
    `    failures canary ${percent(panel.canary.failureRate)}  primary ${percent(panel.primary.failureRate)}   p99 canary ${ms(panel.canary.p99Ms)}  primary ${ms(panel.primary.p99Ms)}`,
    ...panel.evidence.map(evidenceLine),
    `    ${panel.message}`,
  ];
}

/** The whole terminal panel, top to bottom. */
export function screenLines(model: ViewModel): string[] {
  const seconds = (model.elapsedMs / 1000).toFixed(0);
  return [
    `fledge sandbox — ${model.title}   (${seconds}s, ${model.metricsSource})`,
    '',
    ...model.canaries.flatMap(panelLines),
    '',
    ...model.events.slice(-5).map((event) => `  · ${event}`),
  ];
}

/** The plain log line for a canary when its phase, step, weight or message changed; else null. */
export function changeLine(before: CanaryPanel | undefined, now: CanaryPanel): string | null {
  const same = before !== undefined && before.phase === now.phase && before.step === now.step
    && before.canaryWeight === now.canaryWeight && before.message === now.message;
  if (same) return null;
  return `${now.name}: ${now.phase} step ${stepOf(now)} weight ${now.canaryWeight}% — ${now.message}`;
}

export interface Screen {
  /** Draws the model (TTY: in place; otherwise change lines). */
  draw(model: ViewModel): void;
  /** A line that scrolls above the panel (TTY) or is logged (plain). */
  log(line: string): void;
  /** Leaves the last panel on screen. */
  close(): void;
}

export interface ScreenOptions {
  readonly isTty: boolean;
  readonly write: (text: string) => void;
}

export function createScreen(options: ScreenOptions): Screen {
  let drawn = 0;
  const seen = new Map<string, CanaryPanel>();
  const erase = (): void => {
    if (drawn > 0) options.write(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
  };
  if (!options.isTty) {
    return {
      draw(model) {
        for (const panel of model.canaries) {
          const line = changeLine(seen.get(panel.name), panel);
          seen.set(panel.name, panel);
          if (line !== null) options.write(`${line}\n`);
        }
      },
      log: (line) => options.write(`${line}\n`),
      close: () => undefined,
    };
  }
  let last: string[] = [];
  return {
    draw(model) {
      erase();
      last = screenLines(model);
      options.write(`${last.join('\n')}\n`);
      drawn = last.length;
    },
    log(line) {
      erase();
      options.write(`${line}\n`);
      if (last.length > 0) {
        options.write(`${last.join('\n')}\n`);
        drawn = last.length;
      }
    },
    close: () => {
      drawn = 0;
    },
  };
}

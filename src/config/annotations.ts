// Annotations → CanaryConfig, as a value: every bad value becomes one ConfigIssue naming the
// key, the value and what is allowed. The controller (ConfigValid=False, an Event) and
// `fledge validate` show the same messages.
import { annotationPrefix, knobNames, knobs, reservedKeys, type KnobName, type KnobValues } from './knobs.ts';
import { configIssue, knobIssue, type ConfigIssue } from './issues.ts';
import { redactUrls } from './knob-values.ts';
import { nearest } from './suggest.ts';
import { resolveConfig } from './resolve.ts';
import type { Catalog } from './catalog.ts';
import type { CanaryConfig } from './canary-config.ts';

export type { ConfigIssue } from './issues.ts';

export type ParseResult =
  | { readonly ok: true; readonly config: CanaryConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** What the knobs said on their own, before cross-field rules and the catalog. */
export interface KnobReading {
  readonly values: Partial<KnobValues>;
  /** Each annotated knob's text as messages show it (trimmed, redacted when secret). */
  readonly shown: Partial<Record<KnobName, string>>;
  /** Knobs whose value was refused; rules involving them are not checked again. */
  readonly failed: ReadonlySet<KnobName>;
  readonly issues: readonly ConfigIssue[];
}

function isKnob(name: string): name is KnobName {
  return Object.hasOwn(knobs, name);
}

function unknownKeyIssue(key: string, value: string): ConfigIssue {
  const name = key.slice(annotationPrefix.length);
  const guess = nearest(name, knobNames);
  const hint = guess === null ? '' : ` (did you mean ${annotationPrefix}${guess}?)`;
  const allowed = `one of ${knobNames.map((known) => `${annotationPrefix}${known}`).join(', ')}`;
  // A misspelt `webhooks` (or any URL) may carry a token: show it redacted like the real knob.
  const shown = guess === 'webhooks' || value.includes('://') ? redactUrls(value) : value;
  return configIssue({ key, value: shown, problem: `not a known annotation${hint}`, allowed });
}

type KnobOutcome =
  | { readonly kind: 'skip' }
  | { readonly kind: 'issue'; readonly issue: ConfigIssue; readonly name?: KnobName; readonly display?: string }
  | { readonly kind: 'value'; readonly name: KnobName; readonly display: string; readonly value: unknown };

function readKnob(key: string, raw: unknown): KnobOutcome {
  const name = key.slice(annotationPrefix.length);
  const text = String(raw).trim();
  if (reservedKeys.includes(name)) return { kind: 'skip' };
  if (!isKnob(name)) return { kind: 'issue', issue: unknownKeyIssue(key, text) };
  // Any value may be a secret URL pasted into the wrong knob: messages show only scheme and host.
  const display = knobs[name].secret === true || text.includes('://') ? redactUrls(text) : text;
  if (text === '') return { kind: 'issue', name, display, issue: knobIssue(name, display, 'empty') };
  const result = knobs[name].schema.safeParse(text);
  if (result.success) return { kind: 'value', name, display, value: result.data };
  return { kind: 'issue', name, display, issue: knobIssue(name, display, result.error.issues[0]?.message ?? 'invalid') };
}

/** Reads every `fledge.dev/*` annotation on its own; other annotations are ignored. */
export function readKnobs(annotations: Readonly<Record<string, string>>): KnobReading {
  const values: Partial<Record<KnobName, unknown>> = {};
  const shown: Partial<Record<KnobName, string>> = {};
  const failed = new Set<KnobName>();
  const issues: ConfigIssue[] = [];
  const keys = Object.keys(annotations).filter((key) => key.startsWith(annotationPrefix)).sort();
  for (const key of keys) {
    const outcome = readKnob(key, annotations[key]);
    if (outcome.kind === 'value') values[outcome.name] = outcome.value;
    if (outcome.kind === 'issue') issues.push(outcome.issue);
    if (outcome.kind === 'issue' && outcome.name !== undefined) failed.add(outcome.name);
    if (outcome.kind !== 'skip' && outcome.name !== undefined) shown[outcome.name] = outcome.display ?? '';
  }
  return { values: values as Partial<KnobValues>, shown, failed, issues };
}

/**
 * Parses a Deployment's annotations into the resolved configuration, or every problem found.
 * Never throws. `fledge.dev/canary` absent or "false" still parses (config.enabled is false),
 * so a bad knob is reported before anyone turns Fledge on.
 */
export function parseAnnotations(annotations: Readonly<Record<string, string>>, catalog: Catalog): ParseResult {
  const reading = readKnobs(annotations);
  const resolved = resolveConfig(reading, catalog);
  const issues = [...reading.issues, ...resolved.issues];
  if (issues.length > 0 || resolved.config === null) return { ok: false, issues };
  return { ok: true, config: resolved.config };
}

/** All messages in one line, for a condition or an Event (Kubernetes caps messages; keep it short). */
export function summarizeIssues(issues: readonly ConfigIssue[], maxLength = 1000): string {
  const text = issues.map((issue) => issue.message).join('; ');
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

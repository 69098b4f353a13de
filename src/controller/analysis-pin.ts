// A run is judged with the analysis template as it was when the run started: its e-processes
// must measure one quantity throughout. The template is pinned in status.analysis (its spec, so
// a restarted controller keeps judging with it); an edit during the run applies to the next run
// and is announced once in an Event.
import type { AnalysisTemplate } from '../config/analysis-schema.ts';
import type { CanaryState } from '../core/state.ts';
import { inRun } from '../core/transitions.ts';
import type { AnalysisPin } from '../ports/canary-schema.ts';
import { checkTemplateSpec, sourceLabel, templateDigest, type Found } from './analysis-lookup.ts';
import { runOf } from './hook-payload.ts';

type Usable = Extract<Found, { kind: 'found' }>;

export interface Picked {
  /** The template this reconcile measures and judges with. */
  readonly template: AnalysisTemplate;
  /** The pin as stored for the run under way (or the current template between runs). */
  readonly pin: AnalysisPin;
  /** An edit of the pinned template to announce (once per version and run); null when none. */
  readonly edit: string | null;
}

/**
 * A built-in's spec is not kept (the catalog has it, and most Canaries use one: a few KiB less
 * per cached Canary); a template object's is, since the object may change or go.
 */
function pinOf(found: Usable): AnalysisPin {
  const { name: _name, ...spec } = found.template;
  return { source: found.source, digest: found.digest, run: '', announced: null, spec: found.source.kind === 'BuiltIn' ? {} : spec };
}

/** The pinned template, or null when this controller cannot rebuild it (a built-in file changed by an upgrade, a pin from a newer version). */
function pinnedTemplate(pinned: AnalysisPin, builtins: ReadonlyMap<string, AnalysisTemplate>): AnalysisTemplate | null {
  if (pinned.source.kind === 'BuiltIn') {
    const builtin = builtins.get(pinned.source.name);
    return builtin !== undefined && templateDigest(builtin) === pinned.digest ? builtin : null;
  }
  const checked = checkTemplateSpec(pinned.source.name, pinned.spec);
  return checked.ok ? checked.template : null;
}

function sameObject(a: AnalysisPin['source'], b: AnalysisPin['source']): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

function editMessage(pinned: AnalysisPin, current: Usable): string {
  const was = sourceLabel(pinned.source);
  const now = sourceLabel(current.source);
  const what = sameObject(pinned.source, current.source) ? `${was} changed (now generation ${current.source.generation})` : `the analysis now resolves to ${now} (was ${was})`;
  return `${what}: this run keeps judging with the template as it started (digest ${pinned.digest}); the next run uses the new one (digest ${current.digest})`;
}

/**
 * The template for this reconcile: the pinned one during its run, the current one otherwise.
 * `builtins` are the catalog's files (a pinned built-in is read from there).
 */
export function pickTemplate(stored: AnalysisPin | null, state: CanaryState, current: Usable, builtins: ReadonlyMap<string, AnalysisTemplate>): Picked {
  const pinned = stored !== null && inRun(state) && stored.run === runOf(state) ? stored : null;
  const template = pinned === null ? null : pinnedTemplate(pinned, builtins);
  // No pin, or one this controller cannot rebuild: the current template.
  if (pinned === null || template === null) return { template: current.template, pin: pinOf(current), edit: null };
  const edited = current.digest !== pinned.digest && pinned.announced !== current.digest;
  return { template, pin: pinned, edit: edited ? editMessage(pinned, current) : null };
}

/** The pin to write once the state is decided: bound to the run now under way, "" between runs. */
export function pinAfter(picked: Picked, current: Usable, after: CanaryState): AnalysisPin {
  const run = inRun(after) ? runOf(after) : '';
  if (run !== picked.pin.run) {
    // A new run (also one superseding the pinned run) starts with the template as it is now.
    const base = picked.pin.run === '' ? picked.pin : pinOf(current);
    return { ...base, run, announced: null };
  }
  return picked.edit === null ? picked.pin : { ...picked.pin, announced: current.digest };
}

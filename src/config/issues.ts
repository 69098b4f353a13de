// A problem with one annotation, as data. Messages always name the key, the value and what is allowed.
import { annotationPrefix, knobs, type KnobName } from './knobs.ts';

export interface ConfigIssue {
  /** The full annotation key, e.g. `fledge.dev/interval`. */
  readonly key: string;
  /** The value as written (trimmed); secrets redacted (webhook URLs show scheme and host only). */
  readonly value: string;
  /** What is wrong and what is allowed, without key and value: `too short: allowed is …`. */
  readonly detail: string;
  /** One sentence naming key, value, problem and what is allowed; for conditions, Events and logs. */
  readonly message: string;
}

export function configIssue(options: { key: string; value: string; problem: string; allowed: string }): ConfigIssue {
  const detail = `${options.problem}: allowed is ${options.allowed}`;
  return { key: options.key, value: options.value, detail, message: `${options.key}: "${options.value}" is ${detail}` };
}

/** The issue for a knob's value, with the knob's own "allowed" unless another is given. */
export function knobIssue(name: KnobName, value: string, problem: string, allowed = knobs[name].allowed): ConfigIssue {
  return configIssue({ key: `${annotationPrefix}${name}`, value, problem, allowed });
}


// `fledge promote|abort|retry|pause|resume NAME`: checks from the Canary's status that the
// request can apply, says what will happen, then writes the request annotation
// (`fledge.dev/request: {"id":"<uuid>","verb":"…"}`) that the controller acts on once, at its
// next reconcile. The controller checks again and refuses with an Event if things changed.
import { randomUUID } from 'node:crypto';
import { createApiCaller } from '../adapters/kube/errors.ts';
import { createCanaryApi, parseRequest, requestAnnotation, type CanaryApi, type CanaryStatus } from '../adapters/kube/canary-resource.ts';
import type { RequestVerb } from '../core/state.ts';
import { ExitCode, type Command } from './io.ts';
import { appName, guarded, kubeFlagOptions, kubeFlagUsage, parseFlags, resolveKube } from './kube-flags.ts';

export type Applicability = { readonly ok: true; readonly will: string } | { readonly ok: false; readonly why: string };

function running(status: CanaryStatus): boolean {
  return status.phase === 'Progressing' || status.phase === 'Paused';
}

function notRunning(status: CanaryStatus): Applicability {
  return { ok: false, why: `no release is running (phase ${status.phase})` };
}

const checks: Readonly<Record<RequestVerb, (status: CanaryStatus) => Applicability>> = {
  promote: (status) => {
    if (!running(status)) return notRunning(status);
    if (status.step === null || status.step < 1) return { ok: false, why: 'the canary is not ready yet (no traffic has reached it)' };
    return { ok: true, will: `promote revision ${status.revision ?? '?'} now: copy it to the primary, then route 100% to the primary` };
  },
  abort: (status) => {
    if (!running(status) && status.phase !== 'Promoting') return notRunning(status);
    return { ok: true, will: `roll back revision ${status.revision ?? '?'}: route 100% to the primary and scale the canary to zero` };
  },
  retry: (status) => {
    if (status.phase !== 'Failed') return { ok: false, why: `only a rolled-back revision can be retried (phase ${status.phase})` };
    return { ok: true, will: `start a new run of revision ${status.lastFailedRevision ?? status.revision ?? '?'} from weight 0 (if the Deployment still asks for it)` };
  },
  pause: (status) => {
    if (!running(status)) return notRunning(status);
    if (status.userPaused) return { ok: false, why: 'already paused by a person; `fledge resume` continues' };
    return { ok: true, will: `hold the canary at ${status.canaryWeight}% until \`fledge resume\`` };
  },
  resume: (status) => {
    if (running(status) && status.pausedBy === 'gate') return { ok: false, why: 'waiting at the promotion gate: use `fledge promote`' };
    if (!running(status) || (status.pausedBy !== 'user' && status.pausedBy !== 'step-gate' && status.pausedBy !== 'limit')) {
      return { ok: false, why: 'nothing is paused by a person' };
    }
    return { ok: true, will: `continue the release from ${status.canaryWeight}%` };
  },
};

/** Whether `verb` can apply to a Canary with `status` (undefined: not started), mirroring the controller's rules. */
export function applicability(verb: RequestVerb, status: CanaryStatus | undefined): Applicability {
  if (status === undefined) return { ok: false, why: 'the controller has not started this Canary yet' };
  return checks[verb](status);
}

const summaries: Readonly<Record<RequestVerb, string>> = {
  promote: 'Promote the running canary now (also passes the manual gate).',
  abort: 'Roll the running canary back.',
  retry: 'Run a rolled-back revision again.',
  pause: 'Hold the running canary at its weight.',
  resume: 'Continue a canary paused by a person.',
};

/** What a request came to: written (with what it will do), or refused before writing (why). */
export type RequestOutcome =
  | { readonly kind: 'requested'; readonly will: string; readonly replaced: RequestVerb | null }
  | { readonly kind: 'missing' }
  | { readonly kind: 'refused'; readonly why: string };

/**
 * Asks the controller to `verb` a Canary, as `fledge <verb>` does (and the dashboard's buttons):
 * checks the request can apply, then writes the request annotation. API errors propagate.
 */
export async function requestAction(api: CanaryApi, input: { namespace: string; name: string; verb: RequestVerb; newId?: () => string }): Promise<RequestOutcome> {
  const { namespace, name, verb } = input;
  const canary = await api.get(namespace, name);
  if (canary === null) return { kind: 'missing' };
  const verdict = applicability(verb, canary.status);
  if (!verdict.ok) return { kind: 'refused', why: verdict.why };
  const previous = parseRequest(canary);
  const replaced = previous.kind === 'request' && previous.request.id !== canary.status?.handledRequest ? previous.request.verb : null;
  const request = JSON.stringify({ id: (input.newId ?? randomUUID)(), verb });
  await api.patchAnnotations(namespace, name, { [requestAnnotation]: request });
  return { kind: 'requested', will: verdict.will, replaced };
}

function actionCommand(verb: RequestVerb): Command {
  const usage = `fledge ${verb} NAME ${kubeFlagUsage}`;
  return {
    summary: summaries[verb],
    usage,
    run: (args, io) => guarded(io, async () => {
      const { values, positionals } = parseFlags(args, kubeFlagOptions, usage);
      const name = appName(positionals, usage);
      const { kc, namespace } = resolveKube(values, io);
      const outcome = await requestAction(createCanaryApi(kc, createApiCaller()), { namespace, name, verb });
      if (outcome.kind === 'missing') {
        io.err(`fledge: no Canary ${namespace}/${name} (is the Deployment annotated with fledge.dev/canary: "true"?)`);
        return ExitCode.failed;
      }
      if (outcome.kind === 'refused') {
        io.err(`fledge: cannot ${verb} ${namespace}/${name}: ${outcome.why}`);
        return ExitCode.failed;
      }
      if (outcome.replaced !== null) io.err(`fledge: replacing the pending ${outcome.replaced} request the controller has not handled yet`);
      io.out(`${namespace}/${name}: will ${outcome.will}. The controller acts on its next reconcile; follow with \`fledge wait deployment/${name} -n ${namespace}\`.`);
      return ExitCode.ok;
    }),
  };
}

export const promoteCommand: Command = actionCommand('promote');
export const abortCommand: Command = actionCommand('abort');
export const retryCommand: Command = actionCommand('retry');
export const pauseCommand: Command = actionCommand('pause');
export const resumeCommand: Command = actionCommand('resume');

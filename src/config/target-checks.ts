// What Fledge derives from an annotated Deployment must be valid Kubernetes before anything is
// created: the `-primary`/`-canary` Service names (DNS-1035 labels, ≤ 63 characters), the
// primary's selector (only matchLabels can be rewritten), its label values with `-primary`
// appended (≤ 63 characters) and the `-primary` copies of tracked ConfigMaps/Secrets (≤ 253).
// Pure: the reconcile and `fledge validate` give the same messages.
import type { V1Deployment } from '@kubernetes/client-node';
import type { TrackedRef } from './knob-values.ts';

const labelMax = 63;
const subdomainMax = 253;
/** Both derived Service names end in one of these. */
const serviceSuffixes = ['-primary', '-canary'] as const;
const primarySuffix = '-primary';

function nameIssues(app: string): string[] {
  const longest = Math.max(...serviceSuffixes.map((suffix) => `${app}${suffix}`.length));
  if (longest <= labelMax) return [];
  return [`the Deployment name "${app}" is ${app.length} characters: its Services ${serviceSuffixes.map((s) => `${app}${s}`).join(' and ')} would pass the 63-character limit of a Service name; allowed are names of at most ${labelMax - '-primary'.length} characters`];
}

function selectorIssues(target: V1Deployment): string[] {
  const selector = target.spec?.selector;
  // No selector at all is the API server's to refuse (a manifest checked offline may omit it).
  if (selector === undefined) return [];
  if ((selector.matchExpressions ?? []).length > 0) {
    return ['spec.selector uses matchExpressions: Fledge can give the primary its own pods only by rewriting matchLabels; allowed is a selector of matchLabels alone'];
  }
  const labels = Object.entries(selector.matchLabels ?? {});
  if (labels.length === 0) return ['spec.selector has no matchLabels: allowed is a selector of at least one matchLabels entry'];
  return labels
    .filter(([, value]) => `${value}${primarySuffix}`.length > labelMax)
    .map(([key, value]) => `spec.selector.matchLabels["${key}"] is ${value.length} characters: with "${primarySuffix}" appended for the primary it would pass the 63-character limit of a label value; allowed are values of at most ${labelMax - primarySuffix.length} characters`);
}

function copyIssues(tracked: readonly TrackedRef[]): string[] {
  return tracked
    .filter((ref) => `${ref.name}${primarySuffix}`.length > subdomainMax)
    .map((ref) => `${ref.kind} ${ref.name}: its primary copy ${ref.name}${primarySuffix} would pass the ${subdomainMax}-character limit of a name`);
}

/** Everything about the Deployment itself that Fledge cannot release, one message each (empty when fine). */
export function targetIssues(target: V1Deployment, tracked: readonly TrackedRef[] = []): string[] {
  return [...nameIssues(target.metadata?.name ?? ''), ...selectorIssues(target), ...copyIssues(tracked)];
}

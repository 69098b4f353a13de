// A template's own Prometheus address is used only when the controller's `--prometheus-allow`
// permits it (the webhook allow-list's rules: scheme, host, port and path prefix; private
// addresses only when an entry names that host). Editing a template must not make the
// controller query, and send credentials to, an address the operator did not allow.
import type { AnalysisTemplate } from '../config/analysis-schema.ts';
import { filterTargets } from './allow-list.ts';
import type { ReconcileDeps } from './context.ts';
import type { ConfigIssue } from './status.ts';

/** Why the template's Prometheus may not be used; null when it has none or it is allowed. */
export function prometheusRefusal(deps: Pick<ReconcileDeps, 'prometheusAllowList'>, template: AnalysisTemplate): ConfigIssue | null {
  const address = template.prometheus?.address;
  if (address === undefined) return null;
  const { refused } = filterTargets([address], deps.prometheusAllowList ?? [], '--prometheus-allow');
  const first = refused[0];
  if (first === undefined) return null;
  return { reason: 'PrometheusNotAllowed', message: `analysis template ${template.name}: its Prometheus ${first.message}; nothing is queried there` };
}

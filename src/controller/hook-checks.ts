// Hook URLs meet the same allow-list as notification webhooks (--webhook-allow). A gate that
// cannot be called would hold or skip a release silently, so a refused hook refuses the whole
// configuration (ConfigValid=False, reason HookNotAllowed) before anything moves.
import type { CanaryConfig } from '../config/canary-config.ts';
import { filterTargets } from './allow-list.ts';

/** One message naming every refused hook (URLs shown by scheme and host only); null when all are allowed. */
export function hookRefusals(config: CanaryConfig, allowList: readonly string[]): string | null {
  const refused = Object.entries(config.hooks.urls).flatMap(([hook, url]) => {
    const verdict = filterTargets([url], allowList).refused[0];
    return verdict === undefined ? [] : [`fledge.dev/hook-${hook}: ${verdict.message}`];
  });
  return refused.length === 0 ? null : `hooks refused: ${refused.join('; ')}; allowed are URLs under an entry of the controller allow-list (--webhook-allow)`;
}

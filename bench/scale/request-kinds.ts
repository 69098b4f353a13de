// Names an API request by verb and kind ("get trafficsplits", "patch deployments/scale",
// "create events", "watch canaries"), so the bench can say where the controller's requests go.

/** Resource path segments after /api/v1 or /apis/GROUP/VERSION: [namespaces, ns,] plural[, name[, subresource]]. */
function resourceParts(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  return rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
}

const verbs: Readonly<Record<string, string>> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** "verb kind[/subresource]" for one request; GET is get, list or watch by its shape. */
export function requestKind(method: string, url: string): string {
  const parsed = new URL(url, 'http://x');
  const [plural = '?', name, subresource] = resourceParts(parsed.pathname);
  const kind = subresource === undefined ? plural : `${plural}/${subresource}`;
  if (method.toUpperCase() !== 'GET') return `${verbs[method.toUpperCase()] ?? method.toLowerCase()} ${kind}`;
  if (parsed.searchParams.get('watch') === 'true') return `watch ${kind}`;
  return `${name === undefined ? 'list' : 'get'} ${kind}`;
}

/** Per-kind counts from `after` minus `before`, per `per` (e.g. releases), largest first, as "n× what" lines. */
export function breakdownText(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>, per: number): string[] {
  return Object.entries(after)
    .map(([kind, count]): [string, number] => [kind, (count - (before[kind] ?? 0)) / Math.max(1, per)])
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `${count.toFixed(2).padStart(7)}  ${kind}`);
}

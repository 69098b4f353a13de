// Kubernetes resource quantities ("500m", "1", "1.5k", "2Ki", "1e3") as plain numbers, for
// reading TrafficSplit v1alpha1 weights (int-or-string).

const suffixes: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const pattern = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** The value of a quantity, or null when `value` is not one (or not finite). */
export function parseQuantity(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const match = pattern.exec(value.trim());
  if (match === null) return null;
  const [, number = '', exponent, suffix = ''] = match;
  const parsed = exponent === undefined ? Number(number) * (suffixes[suffix] ?? 1) : Number(number + exponent);
  return Number.isFinite(parsed) ? parsed : null;
}

/** A weight (0..100) as a quantity string; integers stay integers ("90"), as Flagger writes them. */
export function formatQuantity(value: number): string {
  return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
}

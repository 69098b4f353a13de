// Which notification targets from a Deployment's annotations the controller may call. The
// operator sets the allow-list (`--webhook-allow`): URL prefixes, matched by scheme, host, port
// and path prefix on whole segments. Editing a Deployment must not make the controller call
// internal addresses, so private, loopback and link-local IP literals (and localhost) are
// refused unless an entry names that very host. Pure: no DNS, no I/O.
import { redactUrls } from '../config/knob-values.ts';

export type RefusalReason = 'not-a-url' | 'scheme' | 'private-address' | 'not-listed';

export interface Refusal {
  readonly url: string;
  readonly reason: RefusalReason;
  /** Says why, naming the target only by scheme and host (paths often carry tokens). */
  readonly message: string;
}

export interface FilteredTargets {
  /** In the order given. */
  readonly allowed: readonly string[];
  readonly refused: readonly Refusal[];
}

function parse(text: string): URL | null {
  return URL.canParse(text) ? new URL(text) : null;
}

const httpSchemes = new Set(['http:', 'https:']);

function octets(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const numbers = parts.map(Number);
  return numbers.every((n) => n <= 255) ? numbers : null;
}

/** IPv4 space that is not public unicast: this network, private, shared, loopback, link-local, IETF, benchmark, multicast and reserved. */
const internalV4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3],
];

function toNumber([a = 0, b = 0, c = 0, d = 0]: readonly number[]): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

function privateV4(address: readonly number[]): boolean {
  const value = toNumber(address);
  return internalV4.some(([base, bits]) => {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return ((value & mask) >>> 0) === toNumber(base.split('.').map(Number));
  });
}

/** The WHATWG parser has normalised the literal (`[::ffff:7f00:1]`, lower case, no zone). */
function privateV6(bracketed: string): boolean {
  const host = bracketed.slice(1, -1);
  if (host === '::' || host === '::1') return true;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped !== null) {
    const high = parseInt(mapped[1] ?? '0', 16);
    const low = parseInt(mapped[2] ?? '0', 16);
    return privateV4([high >> 8, high & 255, low >> 8, low & 255]);
  }
  const first = parseInt(host.split(':')[0] ?? '0', 16);
  // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast.
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0 || (first & 0xff00) === 0xff00;
}

/** True for IP literals outside public unicast space, and for localhost names. */
export function isInternalHost(hostname: string): boolean {
  if (hostname.startsWith('[')) return privateV6(hostname);
  // `localhost.` resolves like `localhost`.
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  const v4 = octets(name);
  if (v4 !== null) return privateV4(v4);
  return name === 'localhost' || name.endsWith('.localhost');
}

function underPath(path: string, prefix: string): boolean {
  if (path === prefix || prefix === '/') return true;
  return prefix.endsWith('/') ? path.startsWith(prefix) : path.startsWith(`${prefix}/`);
}

function matches(target: URL, entry: URL): boolean {
  return target.protocol === entry.protocol && target.hostname === entry.hostname && target.port === entry.port && underPath(target.pathname, entry.pathname);
}

function refusal(url: string, reason: RefusalReason, flag: string): Refusal {
  const shown = reason === 'not-a-url' ? 'a target' : redactUrls(url);
  const why: Record<RefusalReason, string> = {
    'not-a-url': 'is not a URL',
    scheme: 'is not http or https',
    'private-address': 'is a private, loopback or link-local address that the allow-list does not name',
    'not-listed': `matches no entry of the controller allow-list (${flag})`,
  };
  return { url, reason, message: `${shown} ${why[reason]}` };
}

function judge(url: string, entries: readonly URL[]): RefusalReason | null {
  const target = parse(url);
  if (target === null) return 'not-a-url';
  if (!httpSchemes.has(target.protocol)) return 'scheme';
  const named = entries.some((entry) => entry.hostname === target.hostname);
  if (!named && isInternalHost(target.hostname)) return 'private-address';
  return entries.some((entry) => matches(target, entry)) ? null : 'not-listed';
}

/**
 * Splits `urls` into those the allow-list permits and those it refuses (with reasons). An empty
 * allow-list permits nothing; entries that are not http(s) URLs are ignored (see allowListProblems).
 * `flag` names the allow-list in messages (`--webhook-allow`, `--prometheus-allow`).
 */
export function filterTargets(urls: readonly string[], allowList: readonly string[], flag = '--webhook-allow'): FilteredTargets {
  const entries = allowList.map(parse).filter((entry): entry is URL => entry !== null && httpSchemes.has(entry.protocol));
  const allowed: string[] = [];
  const refused: Refusal[] = [];
  for (const url of urls) {
    const reason = judge(url, entries);
    if (reason === null) allowed.push(url);
    else refused.push(refusal(url, reason, flag));
  }
  return { allowed, refused };
}

/** What is wrong with allow-list entries, for the controller's flag validation (empty when fine). */
export function allowListProblems(allowList: readonly string[]): string[] {
  return allowList.flatMap((entry) => {
    const url = parse(entry);
    if (url === null || !httpSchemes.has(url.protocol) || url.hostname === '') return [`${redactUrls(entry)}: not an http(s) URL prefix`];
    if (url.search !== '' || url.hash !== '') return [`${redactUrls(entry)}: a prefix has no query or fragment`];
    return [];
  });
}

/** One Event message for the refused targets of an app (none when nothing was refused). */
export function refusalMessage(refused: readonly Refusal[]): string | null {
  if (refused.length === 0) return null;
  return `notifications not sent to ${refused.length} target${refused.length === 1 ? '' : 's'}: ${refused.map((r) => r.message).join('; ')}`;
}

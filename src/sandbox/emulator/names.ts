// Name rules (DNS-1123 / DNS-1035) with the real server's messages, and generated identifiers.
import { randomInt, randomUUID } from 'node:crypto';
import type { NameRule, StatusCause } from './types.ts';

const subdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const label1035Re = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const rules: Record<NameRule, { re: RegExp; max: number; text: string }> = {
  subdomain: {
    re: subdomainRe,
    max: 253,
    text: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  },
  label: {
    re: labelRe,
    max: 63,
    text: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  },
  label1035: {
    re: label1035Re,
    max: 63,
    text: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  },
  segment: {
    re: /^(?!\.\.?$)[^/%]+$/,
    max: 253,
    text: "may not be '.' or '..' and may not contain '/' or '%'",
  },
};

/** Causes for a bad name at `field` (empty when the name is fine). */
export function checkName(name: string, rule: NameRule, field = 'metadata.name'): StatusCause[] {
  const { re, max, text } = rules[rule];
  const causes: StatusCause[] = [];
  if (name.length > max) {
    causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: "${name}": must be no more than ${max} characters` });
  }
  if (!re.test(name)) causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: "${name}": ${text}` });
  return causes;
}

const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters from the alphabet the real server uses for generateName and pod names. */
export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += suffixAlphabet[randomInt(suffixAlphabet.length)] ?? 'x';
  return out;
}

/** A short, stable, name-safe hash of a string (pod-template-hash style). */
export function safeHash(text: string, length = 10): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x1b873593;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  let n = BigInt(h1) * 4294967296n + BigInt(h2);
  let out = '';
  const base = BigInt(suffixAlphabet.length);
  while (out.length < length) {
    out += suffixAlphabet[Number(n % base)] ?? 'x';
    n /= base;
  }
  return out;
}

export function newUid(): string {
  return randomUUID();
}

/** RFC 3339 with second precision, as `metav1.Time` serialises. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

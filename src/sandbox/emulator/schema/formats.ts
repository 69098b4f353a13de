// The string formats the real server checks in custom resources (apiextensions' supported
// formats, as go-openapi's strfmt reads them). Any other format, including int32, int64, float
// and double, is not checked at all, as on the real server.
import { isIP } from 'node:net';

type Check = (value: string) => boolean;

const uuidRe = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const uuid3Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const uuid4Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const uuid5Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;

const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;
const timeRe = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(.\d+)?(z|[+-]\d{2}:\d{2})$/;
const goDurationRe = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const wordDurationRe = /^\d+\s?(ns|us|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)$/i;
const hostnameRe = /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const macRe = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$|^([0-9a-f]{2}[:-]){7}[0-9a-f]{2}$|^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/i;
const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** strfmt's date: yyyy-mm-dd with a month 01–12 and a day 01–31. */
function isDate(value: string): boolean {
  const m = dateRe.exec(value);
  return m !== null && m[2]! >= '01' && m[2]! <= '12' && m[3]! >= '01' && m[3]! <= '31';
}

/** strfmt's date-time: a date, `T`, hh:mm:ss, optional fraction, then `Z` or ±hh:mm (case-insensitive). */
function isDateTime(value: string): boolean {
  const parts = value.toLowerCase().split('t');
  return parts.length === 2 && isDate(parts[0]!) && timeRe.test(parts[1]!);
}

function isCidr(value: string): boolean {
  const [ip, bits, ...rest] = value.split('/');
  if (rest.length > 0 || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const family = isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

function isUri(value: string): boolean {
  return URL.canParse(value) || value.startsWith('/');
}

const digits = (value: string): string => value.replace(/[^0-9Xx]/g, '');

/** Format name (with dashes removed, as go-openapi normalises it) → check. */
const checks: Readonly<Record<string, Check>> = {
  bsonobjectid: (v) => /^[0-9a-f]{24}$/i.test(v),
  uri: isUri,
  email: (v) => /^[^\s@<>]+@[^\s@<>]+$/.test(v),
  hostname: (v) => hostnameRe.test(v),
  ipv4: (v) => isIP(v) === 4,
  ipv6: (v) => isIP(v) === 6,
  cidr: isCidr,
  mac: (v) => macRe.test(v),
  uuid: (v) => uuidRe.test(v),
  uuid3: (v) => uuid3Re.test(v),
  uuid4: (v) => uuid4Re.test(v),
  uuid5: (v) => uuid5Re.test(v),
  isbn: (v) => [10, 13].includes(digits(v).length),
  isbn10: (v) => digits(v).length === 10,
  isbn13: (v) => digits(v).length === 13,
  creditcard: (v) => /^\d{12,19}$/.test(v.replace(/\D/g, '')),
  ssn: (v) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(v),
  hexcolor: (v) => /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.test(v),
  rgbcolor: (v) => /^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/.test(v),
  byte: (v) => base64Re.test(v),
  password: () => true,
  date: isDate,
  duration: (v) => v === '0' || goDurationRe.test(v) || wordDurationRe.test(v),
  datetime: isDateTime,
};

/** The check for a CRD `format`, or undefined when the real server does not check it. */
export function formatCheck(format: string): Check | undefined {
  return checks[format.replace(/-/g, '')];
}

// Credentials for Prometheus and the rule that keeps them out of messages and logs.
// Secrets arrive as values (the caller read them from a Kubernetes Secret or a file); they go
// into request headers only. Every text that leaves the adapter passes through `redact`.

export interface BasicAuth {
  readonly username: string;
  readonly password: string;
}

export interface PrometheusAuth {
  readonly bearerToken?: string;
  readonly basicAuth?: BasicAuth;
  /** Extra request headers (e.g. a tenant id); their values are treated as secrets too. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The request headers for the given credentials; a bearer token wins over basic auth. */
export function authHeaders(auth: PrometheusAuth): Record<string, string> {
  const headers: Record<string, string> = { ...auth.headers };
  if (auth.bearerToken !== undefined && auth.bearerToken !== '') {
    headers.Authorization = `Bearer ${auth.bearerToken}`;
  } else if (auth.basicAuth !== undefined) {
    const { username, password } = auth.basicAuth;
    headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  return headers;
}

/** Every string that must never appear in a message: tokens, passwords, encoded forms, header values. */
export function secretsOf(auth: PrometheusAuth, url: string): string[] {
  const secrets = [...Object.values(authHeaders(auth))];
  if (auth.bearerToken !== undefined) secrets.push(auth.bearerToken);
  if (auth.basicAuth !== undefined) secrets.push(auth.basicAuth.password);
  secrets.push(...userInfoPasswords(url));
  // Longest first, so that a secret containing another is replaced whole. Very short values
  // (e.g. a header "1") would redact ordinary words; they are not secrets worth the noise.
  return [...new Set(secrets)].filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
}

/** A password in the URL's user info, as written and decoded. */
function userInfoPasswords(url: string): string[] {
  try {
    const password = new URL(url).password;
    return password === '' ? [] : [password, decodeURIComponent(password)];
  } catch {
    return [];
  }
}

/** Replaces every occurrence of every secret with "[redacted]". */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/** The URL as it may be shown: scheme, host, port and path; no user info, query or fragment. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(an unparsable URL)';
  }
}

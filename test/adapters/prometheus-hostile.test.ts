// A Prometheus (or something posing as one) that tries to turn the client against its operator:
// redirecting it elsewhere, or putting secrets in its answers so that they land in the Canary
// status, Events and logs. Real HTTP servers on 127.0.0.1; the messages must stay fixed text.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createPrometheusMetrics } from '../../src/adapters/prometheus-metrics.ts';
import type { PrometheusMetricsOptions } from '../../src/adapters/prometheus-metrics.ts';
import type { IntervalMeasurement } from '../../src/core/types.ts';
import { cartRequest, fakePrometheusPool } from '../support/prometheus.ts';

const token = 'tok-7c1e5a9b3d2f4e6a8b0c';
const password = 'pw-4b3a2c1d0e9f';
const leaked = 'AKIA-SECRET-LOOKING-0123456789';
const { end } = cartRequest;
const request = cartRequest;
const fake = fakePrometheusPool(after);

function vector(value: string): string {
  return JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [end / 1000, value] }] } });
}

interface Measured {
  readonly measured: IntervalMeasurement;
  /** Both sides' messages and every log line. */
  readonly texts: readonly string[];
}

async function measure(options: PrometheusMetricsOptions): Promise<Measured> {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  const measured = await createPrometheusMetrics({ ...options, logger }).measure(request);
  const messages = [measured.canary, measured.primary].flatMap((sample) => (sample.kind === 'error' ? [sample.message] : []));
  assert.equal(messages.length, 2, `both sides are errors: ${JSON.stringify(measured)}`);
  assert.ok(lines.length > 0, 'the failure was logged');
  return { measured, texts: [...messages, ...lines] };
}

function canaryMessage(measured: IntervalMeasurement): string {
  return measured.canary.kind === 'error' ? measured.canary.message : '';
}

function assertAbsent(texts: readonly string[], needles: readonly string[]): void {
  for (const text of texts) {
    for (const needle of needles) assert.ok(!text.includes(needle), `"${needle}" leaked: ${text}`);
  }
}

void describe('a Prometheus that redirects', () => {
  void it('does not follow a 302 to another port, and does not repeat where it pointed', async () => {
    const elsewhere = await fake((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(vector('5')));
    const location = `${elsewhere.url}/api/v1/query?leak=${leaked}`;
    const server = await fake((_req, res) => res.writeHead(302, { location }).end(`Found: ${location}`));
    const { measured, texts } = await measure({ url: server.url });
    assert.equal(elsewhere.received.length, 0, 'the redirect target saw no request');
    assert.equal(server.received.length, 10);
    assert.match(canaryMessage(measured), /^canary shop\/cart requests query: Prometheus at http:\/\/127\.0\.0\.1:\d+ answered 302 \(redirects are not followed\)/);
    assertAbsent(texts, [elsewhere.url, leaked]);
  });

  void it('does not follow a 307 either', async () => {
    const elsewhere = await fake((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(vector('5')));
    const server = await fake((req, res) => res.writeHead(307, { location: `${elsewhere.url}${req.url ?? '/'}` }).end());
    const { measured } = await measure({ url: server.url });
    assert.equal(elsewhere.received.length, 0);
    assert.match(canaryMessage(measured), /answered 307 \(redirects are not followed\)/);
  });
});

void describe('a Prometheus whose error answers carry secrets', () => {
  void it('says only the status and the errorType of a 500, never its error text nor an echoed Authorization header', async () => {
    const server = await fake((req, res) => {
      const authorization = req.headers.authorization ?? '';
      const echoed = Buffer.from(authorization).toString('base64');
      res.writeHead(500, { 'content-type': 'application/json', 'x-echo': echoed });
      res.end(JSON.stringify({ status: 'error', errorType: 'internal', error: `db key ${leaked}; you sent ${authorization} (${echoed})` }));
    });
    const { measured, texts } = await measure({ url: server.url, bearerToken: token });
    assert.equal(server.received[0]?.authorization, `Bearer ${token}`);
    assert.match(canaryMessage(measured), /^canary shop\/cart requests query: Prometheus at http:\/\/127\.0\.0\.1:\d+ answered HTTP 500 \(internal\) \(and 2 more failed queries\)$/);
    assertAbsent(texts, [leaked, token, Buffer.from(`Bearer ${token}`).toString('base64'), 'you sent']);
  });

  void it('keeps a basic-auth header echoed in another encoding out of messages and logs', async () => {
    const server = await fake((req, res) => {
      const [, encoded = ''] = (req.headers.authorization ?? '').split(' ');
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: `who is ${encoded.toLowerCase()}?` }));
    });
    const { measured, texts } = await measure({ url: server.url, basicAuth: { username: 'fledge', password } });
    assert.match(canaryMessage(measured), /answered HTTP 401 \(bad_data\)/);
    assertAbsent(texts, [Buffer.from(`fledge:${password}`).toString('base64').toLowerCase(), password, 'who is']);
  });

  void it('names no errorType outside the fixed vocabulary', async () => {
    const server = await fake((_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: leaked, error: 'x' })));
    const { measured, texts } = await measure({ url: server.url });
    assert.match(canaryMessage(measured), /answered HTTP 503 \(and 2 more failed queries\)$/);
    assertAbsent(texts, [leaked]);
  });

  void it('copies nothing from an HTML or garbage body', async () => {
    const html = await fake((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end(`<html><body>Bad Gateway ${leaked}</body></html>`));
    const garbage = await fake((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${leaked}`));
    const fromHtml = await measure({ url: html.url });
    const fromGarbage = await measure({ url: garbage.url });
    assert.match(canaryMessage(fromHtml.measured), /answered HTTP 502 with something that is not its API's JSON/);
    assert.match(canaryMessage(fromGarbage.measured), /answered HTTP 200 with something that is not its API's JSON/);
    assertAbsent([...fromHtml.texts, ...fromGarbage.texts], [leaked, 'Bad Gateway', '<html>']);
  });
});

// The Prometheus MetricsSource when Prometheus is down, erroring, lying or hanging, and the
// rule that credentials never reach a message or a log line. A tiny fake Prometheus on
// 127.0.0.1 gives the answers a real one never gives.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createPrometheusMetrics } from '../../src/adapters/prometheus-metrics.ts';
import type { PrometheusMetricsOptions } from '../../src/adapters/prometheus-metrics.ts';
import type { Counts, IntervalMeasurement, Sample } from '../../src/core/types.ts';
import { isFledgeError } from '../../src/errors.ts';
import { cartRequest, fakePrometheusPool, freePort } from '../support/prometheus.ts';

const token = 'tok-3f9a1c77e2b54d0e8a6f';
const password = 'pw-9d8c7b6a5f4e';
const { end } = cartRequest;
const request = cartRequest;
const fake = fakePrometheusPool(after);

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function vector(...values: string[]): unknown {
  return { status: 'success', data: { resultType: 'vector', result: values.map((value) => ({ metric: {}, value: [end / 1000, value] })) } };
}

function queryOf(request: IncomingMessage): string {
  return new URL(request.url ?? '/', 'http://x').searchParams.get('query') ?? '';
}

/** Which template query a request is: the fake answers by purpose. */
function purposeOf(query: string): 'requests' | 'failures' | 'slow' | 'successRate' | 'p99' {
  if (query.startsWith('histogram_quantile')) return 'p99';
  if (query.includes('classification!="failure"')) return 'successRate';
  if (query.includes('response_latency_ms_count')) return 'slow';
  return query.includes('classification="failure"') ? 'failures' : 'requests';
}

function captureLogs(): { logger: NonNullable<PrometheusMetricsOptions['logger']>; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'debug' }, { write: (line: string) => lines.push(line) }), lines };
}

function errorOf(sample: Sample): string {
  assert.equal(sample.kind, 'error', `expected an error, got ${JSON.stringify(sample)}`);
  return sample.message;
}

function counts(sample: Sample): Counts {
  assert.equal(sample.kind, 'value', `expected a value, got ${JSON.stringify(sample)}`);
  return sample.counts;
}

function messagesOf(measured: IntervalMeasurement): string[] {
  return [measured.canary, measured.primary].flatMap((sample) => (sample.kind === 'error' ? [sample.message] : []));
}

void describe('Prometheus metrics source when Prometheus fails', () => {
  void it('gives error samples, not a throw, when nothing listens at the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const measured = await createPrometheusMetrics({ url }).measure(request);
    assert.match(errorOf(measured.canary), /^canary shop\/cart requests query: cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    assert.match(errorOf(measured.canary), /\(and 2 more failed queries\)$/);
    assert.match(errorOf(measured.primary), /^primary shop\/cart-primary requests query: cannot reach Prometheus/);
  });

  void it('names the status and errorType of a Prometheus answering 500, not its error text', async () => {
    const server = await fake((_req, res) => json(res, 500, { status: 'error', errorType: 'internal', error: 'query processing failed: out of memory' }));
    const measured = await createPrometheusMetrics({ url: server.url }).measure(request);
    assert.match(errorOf(measured.canary), /requests query: Prometheus at http:\/\/127\.0\.0\.1:\d+ answered HTTP 500 \(internal\) \(and 2 more failed queries\)$/);
  });

  void it('says so when a proxy answers 502 with an HTML page', async () => {
    const server = await fake((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>\n<body>Bad Gateway</body></html>'));
    const measured = await createPrometheusMetrics({ url: server.url }).measure(request);
    assert.match(errorOf(measured.primary), /answered HTTP 502 with something that is not its API's JSON \(and 2 more failed queries\)$/);
  });

  void it('refuses a 200 answer whose body is garbage', async () => {
    const server = await fake((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok ok ok'));
    const measured = await createPrometheusMetrics({ url: server.url }).measure(request);
    assert.match(errorOf(measured.canary), /answered HTTP 200 with something that is not its API's JSON \(and 2 more failed queries\)$/);
  });

  void it('refuses a JSON answer whose samples are not numbers-as-strings, rather than reading it as no data', async () => {
    const server = await fake((_req, res) => json(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, {}] }] } }));
    const measured = await createPrometheusMetrics({ url: server.url }).measure(request);
    assert.match(errorOf(measured.canary), /answered HTTP 200 with an answer that is not an instant query result/);
  });

  void it('refuses a vector whose labels are not all strings, or a sample that is not a [time, value] pair', async () => {
    const answers = [
      [{ metric: { deployment: 'app', namespace: 7 }, value: [1, '3'] }],
      [{ metric: { deployment: 'app' }, value: [1, '3', '4'] }],
      [{ metric: ['deployment'], value: [1, '3'] }],
    ];
    for (const result of answers) {
      const server = await fake((_req, res) => json(res, 200, { status: 'success', data: { resultType: 'vector', result } }));
      const measured = await createPrometheusMetrics({ url: server.url }).measure(request);
      assert.match(errorOf(measured.canary), /answered HTTP 200 with an answer that is not an instant query result/, JSON.stringify(result));
    }
  });

  void it('gives up on a Prometheus that never answers, after the timeout', async () => {
    const server = await fake(() => {
      // never answers
    });
    const measured = await createPrometheusMetrics({ url: server.url, timeoutMs: 300 }).measure(request);
    assert.match(errorOf(measured.canary), /requests query: no answer from Prometheus at http:\/\/127\.0\.0\.1:\d+ within 300 ms/);
    assert.match(errorOf(measured.primary), /within 300 ms/);
  });

  void it('gives up on a Prometheus that trickles its answer forever, after the timeout', async () => {
    const server = await fake((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"success","data":');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    const measured = await createPrometheusMetrics({ url: server.url, timeoutMs: 400 }).measure(request);
    assert.match(errorOf(measured.canary), /no answer from Prometheus at .* within 400 ms/);
  });

  void it('runs the queries of one measurement concurrently', async () => {
    // Holds every answer until all ten queries (5 per side) are in: a sequential adapter would time out instead.
    const waiting: ServerResponse[] = [];
    const server = await fake((_req, res) => {
      waiting.push(res);
      if (waiting.length === 10) for (const held of waiting.splice(0)) json(held, 200, vector('7'));
    });
    const measured = await createPrometheusMetrics({ url: server.url, timeoutMs: 5000 }).measure(request);
    assert.equal(counts(measured.canary).requests, 7);
    assert.equal(server.received.length, 10);
  });
});

void describe('Prometheus answers that are not measurements', () => {
  type Answers = Partial<Record<ReturnType<typeof purposeOf>, unknown>>;
  async function measureWith(answers: Answers): Promise<IntervalMeasurement> {
    const server = await fake((req, res) => json(res, 200, answers[purposeOf(queryOf(req))] ?? vector()));
    return createPrometheusMetrics({ url: server.url }).measure(request);
  }

  void it('reads NaN and +Inf requests as no data', async () => {
    assert.deepEqual((await measureWith({ requests: vector('NaN') })).canary, { kind: 'no-data' });
    assert.deepEqual((await measureWith({ requests: vector('+Inf') })).canary, { kind: 'no-data' });
  });

  void it('reads an empty failures answer as zero failures when requests were counted', async () => {
    const measured = await measureWith({ requests: vector('50'), slow: vector('2') });
    assert.deepEqual(counts(measured.canary), { requests: 50, events: { failures: 0, slow: 2 } });
  });

  void it('refuses NaN as a count of failures', async () => {
    const measured = await measureWith({ requests: vector('50'), failures: vector('NaN') });
    assert.match(errorOf(measured.canary), /failures query: returned NaN or an infinite value, not a count/);
  });

  void it('rounds away extrapolation noise just below zero', async () => {
    const measured = await measureWith({ requests: vector('50'), slow: vector('-0.25') });
    assert.equal(counts(measured.canary).events.slow, 0);
  });

  void it('accepts a scalar answer as one value', async () => {
    const measured = await measureWith({ requests: { status: 'success', data: { resultType: 'scalar', result: [end / 1000, '12'] } } });
    assert.equal(counts(measured.canary).requests, 12);
  });

  void it('leaves display values out when their queries fail or say +Inf, and still counts', async () => {
    const server = await fake((req, res) => {
      const purpose = purposeOf(queryOf(req));
      if (purpose === 'successRate') json(res, 500, { status: 'error', errorType: 'internal', error: 'boom' });
      else json(res, 200, purpose === 'p99' ? vector('+Inf') : vector('40'));
    });
    const measured = await createPrometheusMetrics({ url: server.url }).measure(request);
    assert.deepEqual(counts(measured.canary), { requests: 40, events: { failures: 40, slow: 40 } });
  });

  void it('passes on the display values when Prometheus has them', async () => {
    const measured = await measureWith({ requests: vector('40'), successRate: vector('97.5'), p99: vector('120') });
    assert.deepEqual(counts(measured.primary), { requests: 40, events: { failures: 0, slow: 0 }, successRate: 97.5, p99Ms: 120 });
  });

  void it('evaluates each query at the end of the interval, over the interval as window', async () => {
    const seen: URL[] = [];
    const recording = await fake((req, res) => {
      seen.push(new URL(req.url ?? '/', 'http://x'));
      json(res, 200, vector('1'));
    });
    await createPrometheusMetrics({ url: recording.url }).measure({ ...request, start: end - 90_500 });
    assert.equal(seen.length, 10);
    for (const url of seen) {
      assert.equal(url.pathname, '/api/v1/query');
      assert.equal(Number(url.searchParams.get('time')), end / 1000);
      assert.match(url.searchParams.get('query') ?? '', /\[90500ms\]/);
    }
  });
});

void describe('Prometheus credentials', () => {
  void it('sends the bearer token and extra headers, and no message or log line contains the token', async () => {
    // The server echoes the credentials it received in its error text, as some proxies do.
    const server = await fake((req, res) => json(res, 401, { status: 'error', errorType: 'auth', error: `invalid token: ${req.headers.authorization ?? ''}` }));
    const { logger, lines } = captureLogs();
    const measured = await createPrometheusMetrics({ url: server.url, bearerToken: token, headers: { 'X-Scope-OrgID': 'team-a' }, logger }).measure(request);
    assert.equal(server.received[0]?.authorization, `Bearer ${token}`);
    assert.equal(server.received[0]?.['x-scope-orgid'], 'team-a');
    const messages = messagesOf(measured);
    assert.equal(messages.length, 2);
    assert.match(messages[0] ?? '', /answered HTTP 401 \(and 2 more failed queries\)$/);
    assert.ok(lines.length > 0, 'the failure was logged');
    for (const text of [...messages, ...lines]) assert.ok(!text.includes(token), `secret leaked: ${text}`);
  });

  void it('sends basic auth, and neither the password nor its encoding leaks', async () => {
    const server = await fake((req, res) => json(res, 403, { status: 'error', errorType: 'auth', error: `denied ${req.headers.authorization ?? ''}` }));
    const { logger, lines } = captureLogs();
    const measured = await createPrometheusMetrics({ url: server.url, basicAuth: { username: 'fledge', password }, logger }).measure(request);
    const encoded = Buffer.from(`fledge:${password}`).toString('base64');
    assert.equal(server.received[0]?.authorization, `Basic ${encoded}`);
    for (const text of [...messagesOf(measured), ...lines]) {
      assert.ok(!text.includes(password) && !text.includes(encoded), `secret leaked: ${text}`);
    }
  });

  void it('refuses a user or password written into the URL, without repeating it, and points to the credential files', async () => {
    const url = `http://fledge:${password}@127.0.0.1:${await freePort()}`;
    assert.throws(
      () => createPrometheusMetrics({ url }),
      (error: unknown) =>
        isFledgeError(error) && error.code === 'FLEDGE_CONFIG_INVALID' && !error.message.includes(password) && /--prometheus-token-file/.test(error.message),
    );
    assert.throws(() => createPrometheusMetrics({ url: 'http://fledge@127.0.0.1:9090' }), /user name or password/);
  });

  void it('refuses a URL that is not http(s) without repeating it', () => {
    const bad = `ftp://fledge:${password}@prometheus`;
    assert.throws(
      () => createPrometheusMetrics({ url: bad }),
      (error: unknown) => isFledgeError(error) && error.code === 'FLEDGE_CONFIG_INVALID' && !error.message.includes(password),
    );
    assert.throws(() => createPrometheusMetrics({ url: 'not a url' }), /not an http\(s\) URL/);
  });

  void it('refuses a timeout that is not a positive number', () => {
    assert.throws(() => createPrometheusMetrics({ url: 'http://127.0.0.1:9090', timeoutMs: 0 }), /positive number of ms/);
  });
});

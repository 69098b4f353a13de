import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { escapeLabelValue, placeholdersIn, renderQuery, windowOf } from '../../src/core/render-query.ts';
import type { QueryVars } from '../../src/core/render-query.ts';

const vars: QueryVars = { namespace: 'shop', workload: 'cart', window: '60s', latencyEdge: 500 };

function rendered(template: string, overrides: Partial<QueryVars> = {}): string {
  const result = renderQuery(template, { ...vars, ...overrides });
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.query;
}

function failure(template: string, overrides: Partial<QueryVars> = {}): string {
  const result = renderQuery(template, { ...vars, ...overrides });
  assert.equal(result.ok, false, 'expected an error value');
  return result.ok ? '' : result.message;
}

/** Reads a PromQL double-quoted string literal back (the escapes renderQuery writes). */
function decodeLiteral(literal: string): string {
  return literal.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', r: '\r' })[c] ?? c);
}

void describe('renderQuery', () => {
  void it('fills namespace, workload, window and the latency edge into a Linkerd query', () => {
    const query = rendered(
      'sum(increase(response_latency_ms_bucket{namespace="{{namespace}}", deployment="{{workload}}", le="{{latencyEdge}}"}[{{window}}]))',
    );
    assert.equal(query, 'sum(increase(response_latency_ms_bucket{namespace="shop", deployment="cart", le="500"}[60s]))');
  });

  void it('gives the edge in seconds for exporters that measure in seconds', () => {
    assert.equal(rendered('le="{{latencyEdgeSeconds}}"'), 'le="0.5"');
    assert.equal(rendered('le="{{latencyEdgeSeconds}}"', { latencyEdge: 1000 }), 'le="1"');
    assert.equal(rendered('le="{{latencyEdgeSeconds}}"', { latencyEdge: 250 }), 'le="0.25"');
  });

  void it('allows spaces inside the braces and repeated placeholders', () => {
    assert.equal(rendered('{{ workload }}/{{workload}}/{{  namespace}}'), 'cart/cart/shop');
  });

  void it('escapes quotes, backslashes and newlines in label values so they cannot break out of the string', () => {
    const query = rendered('x{deployment="{{workload}}", namespace="{{namespace}}"}', { workload: 'a"b\\c', namespace: 'n\nm\r' });
    assert.equal(query, 'x{deployment="a\\"b\\\\c", namespace="n\\nm\\r"}');
  });

  void it('round-trips any label value through the PromQL string literal', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (workload) => {
        const query = rendered('"{{workload}}"', { workload });
        const inner = query.slice(1, -1);
        // No unescaped quote inside: every quote is preceded by an odd run of backslashes.
        assert.doesNotMatch(inner.replace(/\\./g, ''), /"/);
        assert.equal(decodeLiteral(inner), workload);
      }),
    );
  });

  void it('does not substitute placeholder-like text that arrives inside a value', () => {
    assert.equal(rendered('"{{workload}}" "{{namespace}}"', { workload: '{{namespace}}' }), '"{{namespace}}" "shop"');
  });

  void it('refuses an unknown placeholder instead of leaving a blank', () => {
    const message = failure('x{deployment="{{deployment}}", pod="{{pod}}"}');
    assert.match(message, /unknown placeholder \{\{deployment\}\}, \{\{pod\}\}/);
    assert.match(message, /known are \{\{namespace\}\}, \{\{workload\}\}, \{\{window\}\}, \{\{latencyEdge\}\}, \{\{latencyEdgeSeconds\}\}/);
  });

  void it('refuses an empty placeholder', () => {
    assert.match(failure('x[{{}}]'), /unknown placeholder \{\{\}\}/);
  });

  void it('refuses unbalanced braces', () => {
    assert.match(failure('x[{{window}]'), /malformed placeholder/);
    assert.match(failure('x[window}}]'), /malformed placeholder/);
  });

  void it('refuses a window that is not a PromQL duration', () => {
    assert.match(failure('x[{{window}}]', { window: '60' }), /window "60" is not a PromQL duration/);
    assert.match(failure('x[{{window}}]', { window: '1m]) or vector(1' }), /not a PromQL duration/);
    assert.equal(rendered('x[{{window}}]', { window: '1m30s' }), 'x[1m30s]');
  });

  void it('refuses a latency edge that is not a positive finite number', () => {
    for (const latencyEdge of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.match(failure('le="{{latencyEdge}}"', { latencyEdge }), /latency edge .* is not a positive number/);
    }
  });

  void it('lists the placeholders a template uses, unknown ones included', () => {
    assert.deepEqual(placeholdersIn('{{namespace}} {{ workload }} {{namespace}} {{pod}}'), ['namespace', 'workload', 'pod']);
    assert.deepEqual(placeholdersIn('up'), []);
  });

  void it('escapes nothing in a plain name', () => {
    assert.equal(escapeLabelValue('app-primary'), 'app-primary');
  });
});

void describe('windowOf', () => {
  void it('writes whole seconds as seconds', () => {
    assert.equal(windowOf(1_000_000, 1_060_000), '60s');
    assert.equal(windowOf(0, 300_000), '300s');
  });

  void it('writes other spans in milliseconds', () => {
    assert.equal(windowOf(0, 1500), '1500ms');
    assert.equal(windowOf(0, 59_999.6), '60s');
  });

  void it('writes an empty or negative span as 0s, which Prometheus rejects', () => {
    assert.equal(windowOf(5000, 5000), '0s');
    assert.equal(windowOf(5000, 1000), '0s');
  });
});

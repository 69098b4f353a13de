import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnotations } from '../../src/config/annotations.ts';
import { loadCatalog } from '../../src/config/catalog.ts';
import { parsedAnnotations } from '../../src/controller/parsed-annotations.ts';

describe('annotations parsed once per distinct text', () => {
  it('answers equal annotations with the remembered parse, and changed ones (even changed in place) afresh', async () => {
    const catalog = await loadCatalog();
    const annotations: Record<string, string> = { 'fledge.dev/canary': 'true', 'fledge.dev/steps': '10,50' };
    const first = parsedAnnotations(annotations, catalog);
    assert.deepEqual(first, parseAnnotations(annotations, catalog));
    assert.equal(parsedAnnotations({ ...annotations }, catalog), first, 'another app with the same annotations');
    annotations['fledge.dev/steps'] = '20';
    const changed = parsedAnnotations(annotations, catalog);
    assert.notEqual(changed, first);
    assert.deepEqual(changed, parseAnnotations(annotations, catalog));
    annotations['fledge.dev/steps'] = 'ten';
    assert.equal(parsedAnnotations(annotations, catalog).ok, false);
  });

  it('does not answer for another catalog', async () => {
    const annotations = { 'fledge.dev/canary': 'true' };
    const a = parsedAnnotations(annotations, await loadCatalog());
    const b = parsedAnnotations(annotations, await loadCatalog());
    assert.notEqual(a, b);
  });
});

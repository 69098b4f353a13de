import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, defaultTemplate, escapeSlack } from '../../../src/adapters/notify/templates.ts';
import { isFledgeError } from '../../../src/errors.ts';
import { notice } from './fixtures.ts';

void describe('message templates', () => {
  void test('the default template names the app, namespace, event, revision, phase, weight and reason', () => {
    const text = compileTemplate(defaultTemplate).render(notice({ reason: 'StepAdvanced', canaryWeight: 25, message: 'no harm evidence' }));
    assert.equal(text, 'checkout.shop StepAdvanced: revision 7f9c2ab, Progressing, canary at 25%. no harm evidence');
  });

  void test('every placeholder is filled, with or without spaces inside the braces', () => {
    const all = '{{name}}|{{ namespace }}|{{revision}}|{{phase}}|{{weight}}|{{reason}}|{{message}}|{{severity}}';
    assert.equal(compileTemplate(all).render(notice({ severity: 'Warning' })), 'checkout|shop|7f9c2ab|Progressing|0|NewRevision|new revision 7f9c2ab: starting a canary run|Warning');
  });

  void test('escaping applies to the values, not to the template\'s own markup', () => {
    const text = compileTemplate('<!here> {{message}}').render(notice({ message: 'a < b & c' }), escapeSlack);
    assert.equal(text, '<!here> a &lt; b &amp; c');
  });

  void test('an unknown placeholder is a configuration error naming it', () => {
    assert.throws(() => compileTemplate('{{name}} {{image}}'), (error: unknown) =>
      isFledgeError(error) && error.code === 'FLEDGE_CONFIG_INVALID' && error.message.includes('{{image}}'));
  });
});

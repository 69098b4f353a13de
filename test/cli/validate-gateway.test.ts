// `fledge validate` knows the routing keys: gateway-api with a match or a Gateway passes; a
// match with an SMI router is refused, saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.ts';

const manifest = fileURLToPath(new URL('../fixtures/config/manifests/gateway.yaml', import.meta.url));

test('validate passes gateway-api apps and refuses a request match on an SMI router, naming key, value and why', async () => {
  const out: string[] = [];
  const code = await runCli(['validate', '-f', manifest], { out: (line) => out.push(line), err: () => undefined, env: {}, isTty: false });
  assert.equal(code, 4);
  assert.match(out[0] ?? '', /^deployment\/shop: ok/);
  assert.match(out[1] ?? '', /^deployment\/front: ok/);
  assert.match(out[2] ?? '', /^deployment\/cart: fledge\.dev\/match: "header:x-beta=1" — only for the gateway-api router: .*Linkerd does not implement SMI HTTPRouteGroup matches/);
});

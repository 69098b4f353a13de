// Writes deploy/components/prometheus-operator/prometheus-rule.yaml: the alert groups of
// deploy/prometheus/alerts.yaml wrapped in a PrometheusRule. Run: npx tsx scripts/gen-prometheus-rule.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const deploy = join(dirname(fileURLToPath(import.meta.url)), '..', 'deploy');
const alerts = parse(readFileSync(join(deploy, 'prometheus', 'alerts.yaml'), 'utf8')) as { groups: unknown[] };
const rule = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: {
    name: 'fledge-controller',
    namespace: 'fledge-system',
    labels: { 'app.kubernetes.io/name': 'fledge-controller', 'app.kubernetes.io/part-of': 'fledge' },
  },
  spec: { groups: alerts.groups },
};
const header = [
  '# Generated from deploy/prometheus/alerts.yaml by scripts/gen-prometheus-rule.ts — do not edit.',
  '# Your Prometheus must select it: add the labels its ruleSelector asks for (kube-prometheus-stack',
  '# selects `release: <its release name>` unless ruleSelectorNilUsesHelmValues is false).',
  '',
].join('\n');
const target = join(deploy, 'components', 'prometheus-operator', 'prometheus-rule.yaml');
writeFileSync(target, header + stringify(rule, { lineWidth: 0 }));
console.log(`wrote ${target}`);

// The kinds served from the start. Custom resources are added by CRDs (see crds.ts).
import * as columns from './builtin-columns.ts';
import { hpaColumns } from './hpa.ts';
import { bindingColumns, roleColumns, serviceAccountColumns } from './rbac-columns.ts';
import type { PrinterColumn, ResourceType, Verb } from './types.ts';

interface Spec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  shortNames?: string[];
  namespaced?: boolean;
  status?: boolean;
  scale?: boolean;
  generation?: ResourceType['generation'];
  nameRule?: ResourceType['nameRule'];
  deleteReturnsObject?: boolean;
  columns?: readonly PrinterColumn[];
  fieldSelectors?: string[];
  categories?: string[];
  verbs?: Verb[];
}

const defaults = {
  shortNames: [], namespaced: true, status: false, scale: false, generation: 'none', nameRule: 'subdomain',
  deleteReturnsObject: false, columns: columns.defaultColumns, fieldSelectors: [], categories: [],
} as const satisfies Omit<Required<Spec>, 'group' | 'version' | 'kind' | 'plural' | 'verbs'>;

function builtin(given: Spec): ResourceType {
  const spec = { ...defaults, ...given };
  const cols = spec.columns;
  return {
    group: spec.group,
    versions: [spec.version],
    storageVersion: spec.version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    shortNames: spec.shortNames,
    categories: spec.categories,
    namespaced: spec.namespaced,
    subresources: { status: spec.status, scale: spec.scale },
    generation: spec.generation,
    nameRule: spec.nameRule,
    deleteReturnsObject: spec.deleteReturnsObject,
    columns: () => cols,
    fieldSelectors: spec.fieldSelectors,
    ...(given.verbs === undefined ? {} : { verbs: given.verbs }),
  };
}

const rbac = 'rbac.authorization.k8s.io';

/** ServiceAccounts, RBAC, and the access reviews (create only, never stored). */
function accessResources(): ResourceType[] {
  const review = (kind: string, plural: string, group = 'authorization.k8s.io'): ResourceType =>
    builtin({ group, version: 'v1', kind, plural, namespaced: false, verbs: ['create'] });
  return [
    builtin({ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'], columns: serviceAccountColumns }),
    builtin({ group: rbac, version: 'v1', kind: 'Role', plural: 'roles', nameRule: 'segment', columns: roleColumns }),
    builtin({ group: rbac, version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, nameRule: 'segment', columns: roleColumns }),
    builtin({ group: rbac, version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', nameRule: 'segment', columns: bindingColumns }),
    builtin({ group: rbac, version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, nameRule: 'segment', columns: bindingColumns }),
    review('SelfSubjectAccessReview', 'selfsubjectaccessreviews'),
    review('SelfSubjectRulesReview', 'selfsubjectrulesreviews'),
    review('SubjectAccessReview', 'subjectaccessreviews'),
    review('SelfSubjectReview', 'selfsubjectreviews', 'authentication.k8s.io'),
  ];
}

const eventFields = ['involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type', 'source'];

export function builtinResources(): ResourceType[] {
  return [
    builtin({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', shortNames: ['ns'], namespaced: false, status: true, nameRule: 'label', deleteReturnsObject: true, columns: columns.namespaceColumns, fieldSelectors: ['status.phase'] }),
    builtin({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', shortNames: ['po'], status: true, deleteReturnsObject: true, columns: columns.podColumns, fieldSelectors: ['status.phase', 'spec.nodeName', 'status.podIP'], categories: ['all'] }),
    builtin({ group: '', version: 'v1', kind: 'Service', plural: 'services', shortNames: ['svc'], status: true, nameRule: 'label1035', columns: columns.serviceColumns, categories: ['all'] }),
    builtin({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'], columns: columns.configMapColumns }),
    builtin({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', columns: columns.secretColumns, fieldSelectors: ['type'] }),
    builtin({ group: '', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], columns: columns.eventColumns, fieldSelectors: eventFields }),
    builtin({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], status: true, scale: true, generation: 'spec', columns: columns.deploymentColumns, categories: ['all'] }),
    builtin({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'], status: true, generation: 'spec', columns: hpaColumns, categories: ['all'] }),
    builtin({ group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], columns: columns.eventColumns, fieldSelectors: ['regarding.kind', 'regarding.name', 'regarding.namespace', 'reason', 'type'] }),
    builtin({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', columns: columns.leaseColumns }),
    builtin({ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['netpol'] }),
    builtin({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', shortNames: ['crd', 'crds'], namespaced: false, status: true, generation: 'spec', deleteReturnsObject: true, columns: columns.crdColumns, categories: ['api-extensions'] }),
    ...accessResources(),
  ];
}

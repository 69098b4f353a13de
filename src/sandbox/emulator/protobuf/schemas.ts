// Field numbers from k8s.io/api and k8s.io/apimachinery generated.proto, for the kinds
// `kubectl create …` sends as protobuf. Fields not listed here are skipped.
import type { Schema } from './decode.ts';

const map = { map: 'string' } as const;

const ownerReference: Schema = {
  1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'],
  6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'],
};

export const objectMeta: Schema = {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 5: ['uid', 'string'],
  6: ['resourceVersion', 'string'], 7: ['generation', 'int'], 8: ['creationTimestamp', 'time'],
  11: ['labels', map], 12: ['annotations', map], 13: ['ownerReferences', () => ownerReference, 'repeated'],
  14: ['finalizers', 'string', 'repeated'],
};

const labelSelector: Schema = {
  1: ['matchLabels', map],
  2: ['matchExpressions', () => ({ 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'string', 'repeated'] }), 'repeated'],
};

const container: Schema = {
  1: ['name', 'string'], 2: ['image', 'string'], 3: ['command', 'string', 'repeated'], 4: ['args', 'string', 'repeated'],
  5: ['workingDir', 'string'],
  6: ['ports', () => ({ 1: ['name', 'string'], 2: ['hostPort', 'int'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'] }), 'repeated'],
  7: ['env', () => ({ 1: ['name', 'string'], 2: ['value', 'string'] }), 'repeated'],
  8: ['resources', () => ({ 1: ['limits', { map: 'quantity' }], 2: ['requests', { map: 'quantity' }] })],
  9: ['volumeMounts', () => ({ 1: ['name', 'string'], 2: ['readOnly', 'bool'], 3: ['mountPath', 'string'], 4: ['subPath', 'string'] }), 'repeated'],
  13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'], 20: ['terminationMessagePolicy', 'string'],
};

const podSpec: Schema = {
  2: ['containers', () => container, 'repeated'], 3: ['restartPolicy', 'string'], 4: ['terminationGracePeriodSeconds', 'int'],
  6: ['dnsPolicy', 'string'], 7: ['nodeSelector', map], 8: ['serviceAccountName', 'string'],
  15: ['imagePullSecrets', () => ({ 1: ['name', 'string'] }), 'repeated'], 19: ['schedulerName', 'string'],
  20: ['initContainers', () => container, 'repeated'],
};

const deploymentSpec: Schema = {
  1: ['replicas', 'int'], 2: ['selector', () => labelSelector],
  3: ['template', () => ({ 1: ['metadata', () => objectMeta], 2: ['spec', () => podSpec] })],
  4: ['strategy', () => ({ 1: ['type', 'string'], 2: ['rollingUpdate', () => ({ 1: ['maxUnavailable', 'intOrString'], 2: ['maxSurge', 'intOrString'] })] })],
  5: ['minReadySeconds', 'int'], 6: ['revisionHistoryLimit', 'int'], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'int'],
};

const servicePort: Schema = {
  1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int'], 4: ['targetPort', 'intOrString'], 5: ['nodePort', 'int'], 6: ['appProtocol', 'string'],
};

const serviceSpec: Schema = {
  1: ['ports', () => servicePort, 'repeated'], 2: ['selector', map], 3: ['clusterIP', 'string'], 4: ['type', 'string'],
  5: ['externalIPs', 'string', 'repeated'], 7: ['sessionAffinity', 'string'], 10: ['externalName', 'string'],
};

const meta = [['metadata', () => objectMeta]] as const;

// k8s.io/api/rbac/v1 and authorization/v1: what `kubectl create role|rolebinding|…` and
// `kubectl auth can-i|whoami` send.
const policyRule: Schema = {
  1: ['verbs', 'string', 'repeated'], 2: ['apiGroups', 'string', 'repeated'], 3: ['resources', 'string', 'repeated'],
  4: ['resourceNames', 'string', 'repeated'], 5: ['nonResourceURLs', 'string', 'repeated'],
};
const subject: Schema = { 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] };
const roleRef: Schema = { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] };
const binding: Schema = { 1: meta[0], 2: ['subjects', () => subject, 'repeated'], 3: ['roleRef', () => roleRef] };
const resourceAttributes: Schema = {
  1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'],
  5: ['resource', 'string'], 6: ['subresource', 'string'], 7: ['name', 'string'],
};
const accessReviewSpec: Schema = {
  1: ['resourceAttributes', () => resourceAttributes], 2: ['nonResourceAttributes', () => ({ 1: ['path', 'string'], 2: ['verb', 'string'] })],
  3: ['user', 'string'], 4: ['groups', 'string', 'repeated'], 6: ['uid', 'string'],
};
const accessKinds: Readonly<Record<string, Schema>> = {
  'v1/ServiceAccount': { 1: meta[0], 3: ['imagePullSecrets', () => ({ 1: ['name', 'string'] }), 'repeated'], 4: ['automountServiceAccountToken', 'bool'] },
  'rbac.authorization.k8s.io/v1/Role': { 1: meta[0], 2: ['rules', () => policyRule, 'repeated'] },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    1: meta[0], 2: ['rules', () => policyRule, 'repeated'], 3: ['aggregationRule', () => ({ 1: ['clusterRoleSelectors', () => labelSelector, 'repeated'] })],
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': binding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': binding,
  'authorization.k8s.io/v1/SelfSubjectAccessReview': { 1: meta[0], 2: ['spec', () => accessReviewSpec] },
  'authorization.k8s.io/v1/SubjectAccessReview': { 1: meta[0], 2: ['spec', () => accessReviewSpec] },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: meta[0], 2: ['spec', () => ({ 1: ['namespace', 'string'] })] },
  'authentication.k8s.io/v1/SelfSubjectReview': { 1: meta[0] },
};

/** Schemas by `apiVersion/Kind`. */
export const kindSchemas: Readonly<Record<string, Schema>> = {
  'v1/Namespace': { 1: meta[0], 2: ['spec', () => ({ 1: ['finalizers', 'string', 'repeated'] })] },
  'v1/ConfigMap': { 1: meta[0], 2: ['data', map], 3: ['binaryData', { map: 'bytes' }], 4: ['immutable', 'bool'] },
  'v1/Secret': { 1: meta[0], 2: ['data', { map: 'bytes' }], 3: ['type', 'string'], 4: ['stringData', map], 5: ['immutable', 'bool'] },
  'v1/Service': { 1: meta[0], 2: ['spec', () => serviceSpec] },
  'apps/v1/Deployment': { 1: meta[0], 2: ['spec', () => deploymentSpec] },
  ...accessKinds,
};

/** runtime.Unknown, the envelope after the `k8s\0` magic. */
export const unknownEnvelope: Schema = {
  1: ['typeMeta', () => ({ 1: ['apiVersion', 'string'], 2: ['kind', 'string'] })],
  2: ['raw', 'raw'],
};

// Builders for the objects Fledge keeps beside an app. Pure: Kubernetes objects in, out.
import type { V1Deployment, V1OwnerReference, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { managedBy, managedByLabel, primaryLabels, revisionAnnotation, type AppNames } from './names.ts';
import { retargetTemplate } from './tracked.ts';

export function selectorOf(target: V1Deployment): Record<string, string> {
  return { ...(target.spec?.selector.matchLabels ?? {}) };
}

/** The ports the app's Services get: the apex's when it has some, else the containers' (80 → 8080 when none is declared). */
export function servicePorts(target: V1Deployment, apex: V1Service | null): V1ServicePort[] {
  const fromApex = apex?.spec?.ports;
  if (fromApex !== undefined && fromApex.length > 0) {
    return fromApex.map(({ nodePort: _nodePort, ...port }) => port);
  }
  const ports = target.spec?.template.spec?.containers.flatMap((container) => container.ports ?? []) ?? [];
  const first = ports.map((port, index) => ({ name: port.name ?? `port-${index}`, port: port.containerPort, targetPort: port.containerPort, protocol: port.protocol ?? 'TCP' }));
  return first.length > 0 ? first : [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
}

/** `<app>-primary`: the target's spec with selector and pod labels rewritten, owned by the Canary. */
export function primaryDeployment(input: {
  target: V1Deployment;
  names: AppNames;
  owner: V1OwnerReference;
  revision: string;
  replicas: number;
  renames: ReadonlyMap<string, string>;
}): V1Deployment {
  const { target, names, owner, revision, replicas, renames } = input;
  const selector = selectorOf(target);
  const keys = Object.keys(selector);
  const template = retargetTemplate(target.spec?.template ?? {}, renames);
  template.metadata = {
    ...template.metadata,
    labels: primaryLabels(template.metadata?.labels ?? {}, keys),
    annotations: { ...template.metadata?.annotations, [revisionAnnotation]: revision },
  };
  const spec = target.spec;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: names.primary,
      namespace: names.namespace,
      labels: { ...primaryLabels(target.metadata?.labels ?? {}, keys), [managedByLabel]: managedBy },
      annotations: { [revisionAnnotation]: revision },
      ownerReferences: [owner],
    },
    spec: {
      ...spec,
      replicas,
      selector: { matchLabels: primaryLabels(selector, keys) },
      template,
    },
  };
}

/** The revision a primary Deployment was copied from, or null. */
export function primaryRevisionOf(primary: V1Deployment | null): string | null {
  return primary?.spec?.template.metadata?.annotations?.[revisionAnnotation] ?? null;
}

function service(input: { name: string; names: AppNames; selector: Record<string, string>; ports: V1ServicePort[]; owner: V1OwnerReference | null }): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: input.name,
      namespace: input.names.namespace,
      labels: { [managedByLabel]: managedBy },
      ...(input.owner === null ? {} : { ownerReferences: [input.owner] }),
    },
    spec: { type: 'ClusterIP', selector: input.selector, ports: input.ports },
  };
}

/** The Services a split needs: primary and canary backends, and the apex when the app has none. */
export function appServices(input: { target: V1Deployment; names: AppNames; owner: V1OwnerReference; apex: V1Service | null }): V1Service[] {
  const { target, names, owner, apex } = input;
  const selector = selectorOf(target);
  const ports = servicePorts(target, apex);
  const backends = [
    service({ name: names.primaryService, names, selector: primaryLabels(selector, Object.keys(selector)), ports, owner }),
    service({ name: names.canaryService, names, selector, ports, owner }),
  ];
  // An apex Fledge creates is the app's own address: it is not owned, so hand-back keeps it.
  return apex === null ? [...backends, service({ name: names.app, names, selector, ports, owner: null })] : backends;
}

/** Owner reference to a Canary (or the Deployment), for garbage collection. */
export function ownerRef(object: { apiVersion: string; kind: string; metadata: { name?: string; uid?: string } }, controller = true): V1OwnerReference {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name ?? '',
    uid: object.metadata.uid ?? '',
    controller,
    blockOwnerDeletion: true,
  };
}

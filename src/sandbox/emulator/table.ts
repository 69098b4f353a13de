// `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`: what `kubectl get` prints.
import { age } from './age.ts';
import { evaluateJsonPath } from './jsonpath.ts';
import type { KubeObject, PrinterColumn, ResourceType } from './types.ts';

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => /as=Table/.test(part) && /g=meta\.k8s\.io/.test(part));
}

const nameColumn = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
};

/** How a JSONPath result becomes a cell of each column type (apiextensions' cellForJSONValue). */
const converters: Readonly<Record<string, (value: unknown, now: number) => unknown>> = {
  date: (value, now) => age(value, now),
  integer: (value) => (typeof value === 'number' ? Math.trunc(value) : null),
  number: (value) => (typeof value === 'number' ? value : null),
  boolean: (value) => (typeof value === 'boolean' ? value : null),
  string: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
};

function cellFor(column: PrinterColumn, object: KubeObject, now: number): unknown {
  const convert = converters[column.type] ?? converters['string'];
  if (column.cell !== undefined) {
    const value = column.cell(object, now);
    return column.type === 'date' ? age(value, now) : value;
  }
  const [value] = evaluateJsonPath(object, column.jsonPath ?? '');
  return value === undefined || value === null || convert === undefined ? null : convert(value, now);
}

function rowObject(object: KubeObject, include: string | null): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

export interface TableOptions {
  readonly type: ResourceType;
  readonly version: string;
  readonly now: number;
  /** `includeObject` query parameter: None, Metadata (default) or Object. */
  readonly includeObject: string | null;
  readonly resourceVersion: string;
  readonly continueToken?: string;
}

/** A meta.k8s.io/v1 Table of `objects`. */
export function toTable(objects: readonly KubeObject[], options: TableOptions): Record<string, unknown> {
  const columns = options.type.columns(options.version);
  const definitions = [nameColumn, ...columns.map((c) => ({
    name: c.name, type: c.type === 'date' ? 'string' : c.type, format: '', description: c.description ?? '', priority: c.priority ?? 0,
  }))];
  const rows = objects.map((object) => ({
    cells: [object.metadata.name ?? '', ...columns.map((c) => cellFor(c, object, options.now))],
    object: rowObject(object, options.includeObject),
  }));
  const metadata: Record<string, string> = { resourceVersion: options.resourceVersion };
  if (options.continueToken !== undefined) metadata['continue'] = options.continueToken;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: definitions, rows };
}

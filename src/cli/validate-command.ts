// `fledge validate -f app.yaml`: checks the fledge.dev/* annotations of every Deployment in a
// manifest offline, with the controller's parser and messages, and every AnalysisTemplate and
// ClusterAnalysisTemplate in it (a Deployment is checked against the file's templates, or the built-ins). Exit 0 when all are valid,
// 4 when any is invalid or a file cannot be read. Needs no cluster and no Kubernetes client.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseAllDocuments, type Document } from 'yaml';
import type { V1Deployment } from '@kubernetes/client-node';
import { parseAnnotations, type ConfigIssue } from '../config/annotations.ts';
import { targetIssues } from '../config/target-checks.ts';
import { trackedRefs } from '../controller/tracked.ts';
import { loadCatalog, type Catalog } from '../config/catalog.ts';
import { annotationPrefix } from '../config/knobs.ts';
import { isFledgeError } from '../errors.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';
import { catalogFor, fileTemplates } from './validate-templates.ts';

const usage = 'fledge validate -f FILE [-f FILE …]   (FILE "-" reads standard input)';

/** What the command reads; tests pass their own. */
export interface ValidateDeps {
  readonly readFile: (path: string) => Promise<string>;
  readonly readStdin: () => Promise<string>;
  readonly loadCatalog: () => Promise<Catalog>;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const defaults: ValidateDeps = {
  readFile: (path) => readFile(path, 'utf8'),
  readStdin,
  loadCatalog: () => loadCatalog(),
};

interface Manifest {
  readonly kind?: unknown;
  readonly items?: unknown;
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown; readonly annotations?: unknown };
}

/** Deployments in the documents, including those inside a `kind: List`. */
function deploymentsIn(docs: readonly unknown[]): Manifest[] {
  return docs.flatMap((doc): Manifest[] => {
    if (typeof doc !== 'object' || doc === null) return [];
    const manifest = doc as Manifest;
    if (manifest.kind === 'List' && Array.isArray(manifest.items)) return deploymentsIn(manifest.items);
    return manifest.kind === 'Deployment' ? [manifest] : [];
  });
}

function fledgeAnnotations(deployment: Manifest): Record<string, unknown> {
  const annotations = deployment.metadata?.annotations;
  if (typeof annotations !== 'object' || annotations === null) return {};
  return Object.fromEntries(Object.entries(annotations).filter(([key]) => key.startsWith(annotationPrefix)));
}

/** A problem to print; `unquoted` for YAML values that are not strings (shown as written). */
type Problem = ConfigIssue & { readonly unquoted?: boolean };

// The API server refuses annotation values that are not strings (an unquoted `true` in YAML).
function notStrings(annotations: Record<string, unknown>): Problem[] {
  return Object.entries(annotations)
    .filter(([, value]) => typeof value !== 'string')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => {
      const text = JSON.stringify(value) ?? 'null';
      const example = typeof value === 'number' || typeof value === 'boolean' ? String(value) : '…';
      const detail = `not a string: annotation values must be quoted in YAML, such as "${example}"`;
      return { key, value: text, detail, message: `${key}: ${text} is ${detail}`, unquoted: true };
    });
}

/** `deployment/NAME: fledge.dev/KEY: "VALUE" — what is wrong: allowed is …` */
function problemLine(name: string, issue: Problem): string {
  const value = issue.unquoted === true ? issue.value : `"${issue.value}"`;
  return `deployment/${name}: ${issue.key}: ${value} — ${issue.detail}`;
}

/** Lines for one Deployment, and whether it is valid. */
function check(deployment: Manifest, catalog: Catalog): { lines: string[]; valid: boolean } {
  const name = typeof deployment.metadata?.name === 'string' ? deployment.metadata.name : '(unnamed)';
  const annotations = fledgeAnnotations(deployment);
  const typeIssues = notStrings(annotations);
  const result = typeIssues.length > 0 ? { ok: false as const, issues: typeIssues } : parseAnnotations(annotations as Record<string, string>, catalog);
  if (!result.ok) return { lines: result.issues.map((issue: Problem) => problemLine(name, issue)), valid: false };
  const { config } = result;
  const target = deployment as V1Deployment;
  const targetProblems = targetIssues(target, trackedRefs(target.spec?.template ?? {}, config.track));
  if (targetProblems.length > 0) return { lines: targetProblems.map((problem) => `deployment/${name}: ${problem}`), valid: false };
  const off = config.enabled ? '' : `; off until ${annotationPrefix}canary is "true"`;
  const summary = `strategy ${config.strategy}, steps ${config.policy.steps.join(',')}, judge ${config.policy.judge.kind}${off}`;
  return { lines: [`deployment/${name}: ok (${summary})`], valid: true };
}

async function readSource(file: string, deps: ValidateDeps): Promise<string> {
  return file === '-' ? deps.readStdin() : deps.readFile(file);
}

/** Checks one file; returns false when it is unreadable or holds an invalid Deployment. */
async function validateFile(file: string, catalog: Catalog, context: { io: CliIo; deps: ValidateDeps }): Promise<boolean> {
  const { io, deps } = context;
  const label = file === '-' ? '(stdin)' : file;
  let text: string;
  try {
    text = await readSource(file, deps);
  } catch (error) {
    io.err(`${label}: cannot read: ${(error as Error).message}`);
    return false;
  }
  const docs: readonly Document.Parsed[] = parseAllDocuments(text);
  const broken = docs.flatMap((doc) => doc.errors);
  if (broken.length > 0) {
    io.err(`${label}: not valid YAML: ${broken[0]?.message ?? ''}`);
    return false;
  }
  return checkDocuments(docs.map((doc) => doc.toJS() as unknown), { label, catalog, io });
}

/** Checks the templates, then every annotated Deployment against the catalog its namespace would see. */
function checkDocuments(values: readonly unknown[], context: { label: string; catalog: Catalog; io: CliIo }): boolean {
  const { io } = context;
  const templates = fileTemplates(values.flatMap((doc) => ((doc as Manifest | null)?.kind === 'List' ? ((doc as Manifest).items as unknown[]) : [doc])));
  for (const line of templates.lines) io.out(line);
  const deployments = deploymentsIn(values).filter((d) => Object.keys(fledgeAnnotations(d)).length > 0);
  if (deployments.length === 0 && templates.lines.length === 0) io.out(`${context.label}: no Deployment with ${annotationPrefix}* annotations`);
  const namespaceOf = (d: Manifest): string => (typeof d.metadata?.namespace === 'string' ? d.metadata.namespace : '');
  const results = deployments.map((deployment) => check(deployment, catalogFor(context.catalog, templates, namespaceOf(deployment))));
  for (const line of results.flatMap((r) => r.lines)) io.out(line);
  return templates.valid && results.every((r) => r.valid);
}

function filesOf(args: readonly string[]): string[] | string {
  try {
    const { values } = parseArgs({ args: [...args], options: { filename: { type: 'string', short: 'f', multiple: true } }, allowPositionals: false });
    return values.filename !== undefined && values.filename.length > 0 ? values.filename : 'missing -f FILE';
  } catch (error) {
    return (error as Error).message;
  }
}

export function createValidateCommand(deps: ValidateDeps = defaults): Command {
  return {
    summary: 'Check the fledge.dev/* annotations of the Deployments and the analysis templates in a manifest, offline.',
    usage,
    run: async (args, io) => {
      const files = filesOf(args);
      if (typeof files === 'string') {
        io.err(`fledge validate: ${files}\nUsage: ${usage}`);
        return ExitCode.usage;
      }
      let catalog: Catalog;
      try {
        catalog = await deps.loadCatalog();
      } catch (error) {
        io.err(`fledge validate: ${isFledgeError(error) ? `${error.code}: ` : ''}${(error as Error).message}`);
        return ExitCode.usage;
      }
      let valid = true;
      for (const file of files) valid = (await validateFile(file, catalog, { io, deps })) && valid;
      return valid ? ExitCode.ok : ExitCode.usage;
    },
  };
}

export const validateCommand: Command = createValidateCommand();

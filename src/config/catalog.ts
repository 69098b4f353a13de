// The catalog: every analysis template (analysis/*.yaml) and strategy (strategies/*.yaml),
// read and validated once at start-up. A bad file stops start-up with FLEDGE_CATALOG_INVALID
// naming the file, the field and the problem: operators edit these files by hand.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { packagePath } from '../package-root.ts';
import { parse } from 'yaml';
import { z } from 'zod';
import { FledgeError } from '../errors.ts';
import { analysisTemplateSchema, templateProblems, type AnalysisTemplate } from './analysis-schema.ts';
import { strategyFileSchema, type Strategy } from './strategy-schema.ts';

/** Named presets, keyed by file name (= the `name` inside). Read-only after loading. */
export interface Catalog {
  readonly analysis: ReadonlyMap<string, AnalysisTemplate>;
  readonly strategies: ReadonlyMap<string, Strategy>;
}

export interface CatalogDirs {
  readonly analysis: string;
  readonly strategies: string;
}

/** The package's `analysis/` and `strategies/` (package-root.ts: not the working directory's). */
export function defaultCatalogDirs(): CatalogDirs {
  return { analysis: packagePath('analysis'), strategies: packagePath('strategies') };
}

/** Reads and validates every `*.yaml`/`*.yml` file of both directories. Throws FLEDGE_CATALOG_INVALID. */
export async function loadCatalog(dirs: CatalogDirs = defaultCatalogDirs()): Promise<Catalog> {
  const [analysis, strategies] = await Promise.all([
    loadDir(dirs.analysis, (file, data) => checkTemplate(file, analysisTemplateSchema.safeParse(data))),
    loadDir(dirs.strategies, (file, data) => checked(file, strategyFileSchema.safeParse(data))),
  ]);
  return { analysis, strategies };
}

type Check<T extends { name: string }> = (file: string, data: unknown) => T;

async function loadDir<T extends { name: string }>(dir: string, check: Check<T>): Promise<ReadonlyMap<string, T>> {
  if (!existsSync(dir)) throw new FledgeError('FLEDGE_CATALOG_INVALID', `${dir}: the catalog directory does not exist`);
  const names = (await readdir(dir)).filter((name) => ['.yaml', '.yml'].includes(extname(name))).sort();
  if (names.length === 0) throw new FledgeError('FLEDGE_CATALOG_INVALID', `${dir}: no *.yaml files`);
  const entries = await Promise.all(names.map(async (name) => {
    const file = join(dir, name);
    const value = check(file, readYaml(file, await readFile(file, 'utf8')));
    const expected = basename(name, extname(name));
    if (value.name !== expected) {
      throw new FledgeError('FLEDGE_CATALOG_INVALID', `${file}: name "${value.name}" must equal the file name "${expected}"`);
    }
    return [value.name, value] as const;
  }));
  return new Map(entries);
}

function readYaml(file: string, text: string): unknown {
  try {
    return parse(text) as unknown;
  } catch (error) {
    throw new FledgeError('FLEDGE_CATALOG_INVALID', `${file}: not valid YAML: ${(error as Error).message}`, { cause: error });
  }
}

function checked<T>(file: string, result: z.ZodSafeParseResult<T>): T {
  if (!result.success) throw new FledgeError('FLEDGE_CATALOG_INVALID', `${file}:\n${z.prettifyError(result.error)}`);
  return result.data;
}

function checkTemplate(file: string, result: z.ZodSafeParseResult<AnalysisTemplate>): AnalysisTemplate {
  const template = checked(file, result);
  const problems = templateProblems(template);
  if (problems.length > 0) throw new FledgeError('FLEDGE_CATALOG_INVALID', `${file}:\n${problems.map((p) => `✖ ${p}`).join('\n')}`);
  return template;
}

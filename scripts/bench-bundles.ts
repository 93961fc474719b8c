/**
 * Bundles every catalog function with the SAME esbuild options as the CDK construct
 * (infra/aws/bundling.ts), reports each bundle's size, and times importing each bundle in a fresh
 * `node` process (the cold-start share that is ours: module evaluation, client construction).
 *
 *   npx tsx scripts/bench-bundles.ts [--fixture] [--runs 5] [--baseline <git ref>] [--pieces]
 *
 * With --pieces, what the parts every function bundles cost alone (node itself, zod, Powertools
 * and middy, the DynamoDB document client): the floor under any function's import.
 *
 * With --baseline, the ref is checked out in a temporary git worktree (sharing this checkout's
 * node_modules), every function of both trees is bundled with its own tree's esbuild options, and
 * the fresh imports alternate between the two, so both columns come from one run on one machine.
 *
 * Targets: ≤ 300 KB minified, import ≤ 100 ms (median of the runs).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { envNameFor, envNamesOf, type Catalog, type FunctionDef } from '../infra/catalog';
import { esbuildOptions, lambdaBundle } from '../infra/aws/bundling';

type EsbuildOptionsOf = typeof esbuildOptions;

const run = promisify(execFile);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const TARGET_KB = 300;
export const TARGET_IMPORT_MS = 100;

export interface BundleBench {
  functionId: string;
  bytes: number;
  minifiedKb: number;
  /** median time to `await import()` the bundle in a fresh node process */
  importMs: number;
}

export interface BenchOptions {
  catalog?: Catalog;
  runs?: number;
  /** keep the bundles here instead of a temp dir that is deleted */
  outDir?: string;
}

/** dummy values for every variable the function reads from its grants and the catalog */
export function dummyEnv(fn: FunctionDef): Record<string, string> {
  const env: Record<string, string> = {
    STAGE: 'bench',
    POWERTOOLS_SERVICE_NAME: fn.id,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    AWS_REGION: 'eu-south-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: fn.id,
    ...fn.environment,
  };
  for (const g of fn.grants) {
    // a redrive grant also names its dead-letter queue
    if (g.resource === 'queue' && g.access === 'redrive') env[envNamesOf(g)[1]!] = `https://sqs.eu-south-1.amazonaws.com/000000000000/${g.id}-dlq`;
    // the values CDK would set: a queue URL, a resource name, a secret prefix, the e-mail transport
    if (g.resource === 'email') env[envNameFor('email')] = 'ses';
    else if (g.resource === 'secret') env[envNameFor('secret', g.id)] = g.prefix;
    else {
      env[envNameFor(g.resource, g.id)] =
        g.resource === 'queue' ? `https://sqs.eu-south-1.amazonaws.com/000000000000/bench-${g.id}` : `bench-${g.resource}-${g.id}`;
    }
  }
  return env;
}

const IMPORT_SNIPPET = `
const t0 = performance.now();
await import(process.env.BENCH_BUNDLE_URL);
process.stdout.write(String(performance.now() - t0));
`;

async function importMs(bundle: string, env: Record<string, string>): Promise<number> {
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', IMPORT_SNIPPET], {
    // a clean environment: only PATH and what the function would see on Lambda
    env: { PATH: process.env.PATH ?? '', ...env, BENCH_BUNDLE_URL: pathToFileURL(bundle).href },
    cwd: path.dirname(bundle),
  });
  return Number(stdout);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface BuiltBundle {
  readonly functionId: string;
  readonly outfile: string;
  readonly bytes: number;
  readonly env: Record<string, string>;
}

/** Every function of `catalog` bundled from `root` with that tree's own esbuild options. */
async function buildAll(catalog: Catalog, root: string, options: EsbuildOptionsOf, outRoot: string): Promise<BuiltBundle[]> {
  const built: BuiltBundle[] = [];
  for (const fn of catalog.functions) {
    const outfile = path.join(outRoot, fn.id, lambdaBundle.outFile);
    await build({ ...options(path.resolve(root, fn.entry), outfile), absWorkingDir: root, logLevel: 'silent' });
    built.push({ functionId: fn.id, outfile, bytes: (await stat(outfile)).size, env: dummyEnv(fn) });
  }
  return built;
}

const toBench = (b: BuiltBundle, times: number[]): BundleBench => ({
  functionId: b.functionId,
  bytes: b.bytes,
  minifiedKb: Math.round((b.bytes / 1024) * 10) / 10,
  importMs: Math.round(median(times) * 10) / 10,
});

export async function benchBundles(options: BenchOptions = {}): Promise<BundleBench[]> {
  const catalog = options.catalog ?? (await import('../infra/catalog')).catalog;
  const runs = options.runs ?? 5;
  // Inside the repo, so the externalised AWS SDK resolves from node_modules as it does from the
  // Lambda runtime's own copy.
  await mkdir(path.join(projectRoot, '.tmp'), { recursive: true });
  const outRoot = options.outDir ?? (await mkdtemp(path.join(projectRoot, '.tmp', 'bench-bundles-')));
  try {
    const results: BundleBench[] = [];
    for (const b of await buildAll(catalog, projectRoot, esbuildOptions, outRoot)) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await importMs(b.outfile, b.env));
      results.push(toBench(b, times));
    }
    return results;
  } finally {
    if (!options.outDir) await rm(outRoot, { recursive: true, force: true });
  }
}

export interface BundleComparison {
  readonly baseline: string;
  readonly functionId: string;
  /** absent when the function did not exist at the baseline */
  readonly before?: BundleBench;
  readonly after: BundleBench;
}

/** This tree against a git ref, side by side, the fresh imports alternating between the two. */
export async function compareBundles(ref: string, runs = 5): Promise<BundleComparison[]> {
  await mkdir(path.join(projectRoot, '.tmp'), { recursive: true });
  const work = await mkdtemp(path.join(projectRoot, '.tmp', 'bench-baseline-'));
  const tree = path.join(work, 'tree');
  await run('git', ['worktree', 'add', '--detach', tree, ref], { cwd: projectRoot });
  try {
    await symlink(path.join(projectRoot, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
    const baseCatalog = ((await import(pathToFileURL(path.join(tree, 'infra/catalog.ts')).href)) as { catalog: Catalog }).catalog;
    const baseOptions = ((await import(pathToFileURL(path.join(tree, 'infra/aws/bundling.ts')).href)) as { esbuildOptions: EsbuildOptionsOf }).esbuildOptions;
    const catalog = (await import('../infra/catalog')).catalog;
    const before = new Map((await buildAll(baseCatalog, tree, baseOptions, path.join(work, 'before'))).map((b) => [b.functionId, b]));
    const after = await buildAll(catalog, projectRoot, esbuildOptions, path.join(work, 'after'));
    const rows: BundleComparison[] = [];
    for (const a of after) {
      const b = before.get(a.functionId);
      const tA: number[] = [];
      const tB: number[] = [];
      for (let i = 0; i < runs; i++) {
        if (b) tB.push(await importMs(b.outfile, b.env));
        tA.push(await importMs(a.outfile, a.env));
      }
      rows.push({ baseline: ref, functionId: a.functionId, ...(b ? { before: toBench(b, tB) } : {}), after: toBench(a, tA) });
    }
    return rows;
  } finally {
    await run('git', ['worktree', 'remove', '--force', tree], { cwd: projectRoot }).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

/** The shared pieces, each bundled alone with the CDK's esbuild options. */
const PIECES: Record<string, string> = {
  'node (empty module)': 'export {};',
  zod: "import * as z from 'zod'; export const s = z.object({ a: z.string() });",
  'Powertools logger + metrics, middy': "export * from '@aws-lambda-powertools/logger'; export * from '@aws-lambda-powertools/metrics'; export * from '@middy/core';",
  'DynamoDB document client (constructed)':
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'; export const c = DynamoDBDocumentClient.from(new DynamoDBClient({})); export const g = GetCommand;",
};

export async function benchPieces(runs = 7): Promise<BundleBench[]> {
  await mkdir(path.join(projectRoot, '.tmp'), { recursive: true });
  const work = await mkdtemp(path.join(projectRoot, '.tmp', 'bench-pieces-'));
  try {
    const rows: BundleBench[] = [];
    for (const [name, source] of Object.entries(PIECES)) {
      const dir = path.join(work, String(rows.length));
      await mkdir(dir, { recursive: true });
      const entry = path.join(dir, 'entry.ts');
      await writeFile(entry, source);
      const outfile = path.join(dir, 'out', lambdaBundle.outFile);
      await build({ ...esbuildOptions(entry, outfile), absWorkingDir: projectRoot, logLevel: 'silent' });
      const times: number[] = [];
      const env = { AWS_REGION: 'eu-south-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };
      for (let i = 0; i < runs; i++) times.push(await importMs(outfile, env));
      rows.push(toBench({ functionId: name, outfile, bytes: (await stat(outfile)).size, env }, times));
    }
    return rows;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export function formatComparison(rows: readonly BundleComparison[]): string {
  const ref = rows[0]?.baseline ?? '?';
  const lines = [
    `${'function'.padEnd(28)} ${`KB ${ref}`.padStart(12)} ${'KB now'.padStart(8)} ${`ms ${ref}`.padStart(12)} ${'ms now'.padStart(8)}`,
    '-'.repeat(72),
  ];
  for (const r of rows) {
    const kb = r.before ? r.before.minifiedKb.toFixed(1) : '—';
    const ms = r.before ? r.before.importMs.toFixed(1) : '—';
    lines.push(`${r.functionId.padEnd(28)} ${kb.padStart(12)} ${r.after.minifiedKb.toFixed(1).padStart(8)} ${ms.padStart(12)} ${r.after.importMs.toFixed(1).padStart(8)}`);
  }
  return lines.join('\n');
}

export function formatTable(rows: BundleBench[]): string {
  const width = Math.max(28, ...rows.map((r) => r.functionId.length));
  const lines = [`${'function'.padEnd(width)} ${'KB (min)'.padStart(9)} ${'import ms'.padStart(10)}  verdict`, '-'.repeat(width + 36)];
  for (const r of rows) {
    const over = [r.minifiedKb > TARGET_KB ? `> ${TARGET_KB} KB` : '', r.importMs > TARGET_IMPORT_MS ? `> ${TARGET_IMPORT_MS} ms` : ''].filter(Boolean);
    lines.push(`${r.functionId.padEnd(width)} ${r.minifiedKb.toFixed(1).padStart(9)} ${r.importMs.toFixed(1).padStart(10)}  ${over.length ? over.join(', ') : 'ok'}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const valueOf = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const runs = Number(valueOf('--runs') ?? 5);
  const baseline = valueOf('--baseline');
  if (baseline) {
    console.log(formatComparison(await compareBundles(baseline, runs)));
  } else if (args.includes('--pieces')) {
    console.log(formatTable(await benchPieces(runs)));
  } else {
    const catalog = args.includes('--fixture') ? (await import('../test/fixtures/cdk/catalog')).fixtureCatalog : undefined;
    const rows = await benchBundles({ runs, ...(catalog ? { catalog } : {}) });
    console.log(formatTable(rows));
    const bad = rows.filter((r) => r.minifiedKb > TARGET_KB || r.importMs > TARGET_IMPORT_MS);
    if (bad.length > 0) process.exitCode = 1;
  }
}

/**
 * Bundles every catalog function with the SAME esbuild options as the CDK construct
 * (infra/aws/bundling.ts), reports each bundle's size, and times importing each bundle in a fresh
 * `node` process (the cold-start share that is ours: module evaluation, client construction).
 *
 *   npx tsx scripts/bench-bundles.ts [--fixture] [--runs 5]
 *
 * Targets: ≤ 300 KB minified, import ≤ 100 ms (median of the runs).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { envNameFor, type Catalog, type FunctionDef } from '../infra/catalog';
import { esbuildOptions, lambdaBundle } from '../infra/aws/bundling';

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

export async function benchBundles(options: BenchOptions = {}): Promise<BundleBench[]> {
  const catalog = options.catalog ?? (await import('../infra/catalog')).catalog;
  const runs = options.runs ?? 5;
  // Inside the repo, so the externalised AWS SDK resolves from node_modules as it does from the
  // Lambda runtime's own copy.
  await mkdir(path.join(projectRoot, '.tmp'), { recursive: true });
  const outRoot = options.outDir ?? (await mkdtemp(path.join(projectRoot, '.tmp', 'bench-bundles-')));
  try {
    const results: BundleBench[] = [];
    for (const fn of catalog.functions) {
      const outfile = path.join(outRoot, fn.id, lambdaBundle.outFile);
      await build({ ...esbuildOptions(path.resolve(projectRoot, fn.entry), outfile), absWorkingDir: projectRoot });
      const bytes = (await stat(outfile)).size;
      const env = dummyEnv(fn);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await importMs(outfile, env));
      results.push({
        functionId: fn.id,
        bytes,
        minifiedKb: Math.round((bytes / 1024) * 10) / 10,
        importMs: Math.round(median(times) * 10) / 10,
      });
    }
    return results;
  } finally {
    if (!options.outDir) await rm(outRoot, { recursive: true, force: true });
  }
}

export function formatTable(rows: BundleBench[]): string {
  const lines = [
    `${'function'.padEnd(28)} ${'KB (min)'.padStart(9)} ${'import ms'.padStart(10)}  verdict`,
    '-'.repeat(64),
  ];
  for (const r of rows) {
    const over = [
      r.minifiedKb > TARGET_KB ? `> ${TARGET_KB} KB` : '',
      r.importMs > TARGET_IMPORT_MS ? `> ${TARGET_IMPORT_MS} ms` : '',
    ].filter(Boolean);
    lines.push(
      `${r.functionId.padEnd(28)} ${r.minifiedKb.toFixed(1).padStart(9)} ${r.importMs.toFixed(1).padStart(10)}  ${over.length ? over.join(', ') : 'ok'}`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const runsIdx = args.indexOf('--runs');
  const runs = runsIdx >= 0 ? Number(args[runsIdx + 1]) : 5;
  const catalog = args.includes('--fixture')
    ? (await import('../test/fixtures/cdk/catalog')).fixtureCatalog
    : undefined;
  const rows = await benchBundles({ runs, ...(catalog ? { catalog } : {}) });
  console.log(formatTable(rows));
  const bad = rows.filter((r) => r.minifiedKb > TARGET_KB || r.importMs > TARGET_IMPORT_MS);
  if (bad.length > 0) process.exitCode = 1;
}

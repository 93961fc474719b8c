/**
 * `npm run bench`: every benchmark of the layer, one after the other, each side by side with its
 * baseline, on this machine. Not a test: it takes minutes and its numbers depend on the machine.
 * Results are printed as Markdown tables and saved to bench-results/<timestamp>.json.
 *
 *   npm run bench                      all of them
 *   npm run bench -- positions notices only those (bundles, dynamodb-local, report-writes, positions, lists, notices, receipts, io, citizen, console-search)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Suite {
  readonly name: string;
  run(): Promise<{ table: string; data: unknown }>;
}

const suites: Suite[] = [
  {
    name: 'bundles',
    async run() {
      // the baseline: the last commit before the restructuring of issue "one way to do each thing"
      const { compareBundles, formatComparison } = await import('./bench-bundles');
      const data = await compareBundles(process.env.BENCH_BUNDLES_BASELINE ?? 'bf693de', 5);
      return { table: formatComparison(data), data };
    },
  },
  {
    name: 'dynamodb-local',
    async run() {
      const { benchDynamoDbLocal, formatDynamoDbLocalTable } = await import('./bench-dynamodb-local');
      const data = await benchDynamoDbLocal();
      return { table: formatDynamoDbLocalTable(data), data };
    },
  },
  {
    name: 'report-writes',
    async run() {
      const { benchReportWrites, formatReportWritesTable } = await import('./bench-report-writes');
      const data = await benchReportWrites();
      return { table: formatReportWritesTable(data), data };
    },
  },
  {
    name: 'positions',
    async run() {
      const { benchPositions, formatPositionsTable } = await import('./bench-positions');
      const data = await benchPositions();
      return { table: formatPositionsTable(data), data };
    },
  },
  {
    name: 'lists',
    async run() {
      const { benchLists, formatListsTable } = await import('./bench-lists');
      const data = await benchLists();
      return { table: formatListsTable(data), data };
    },
  },
  {
    name: 'notices',
    async run() {
      const { benchNotices, formatTable } = await import('./bench-notice');
      const data = await benchNotices();
      return { table: formatTable(data), data };
    },
  },
  {
    name: 'receipts',
    async run() {
      const { benchReceipts, formatReceiptsTable } = await import('./bench-receipts');
      const data = await benchReceipts({ log: () => undefined });
      return { table: formatReceiptsTable(data), data };
    },
  },
  {
    name: 'io',
    async run() {
      const { benchIo, formatIoTable } = await import('./bench-io');
      const data = await benchIo();
      return { table: formatIoTable(data), data };
    },
  },
  {
    name: 'citizen',
    async run() {
      const { benchCitizen, formatCitizenTable } = await import('./bench-citizen');
      const data = await benchCitizen();
      return { table: formatCitizenTable(data), data };
    },
  },
  {
    name: 'console-search',
    async run() {
      const { benchConsoleSearch, formatConsoleSearchTable } = await import('./bench-console-search');
      const data = await benchConsoleSearch();
      return { table: formatConsoleSearchTable(data), data };
    },
  },
];

// Each suite runs in a process of its own: handlers keep their clients at module scope, so a
// second local cloud in the same process would talk to the first one's (stopped) endpoints.
const suiteArg = process.argv.find((a) => a.startsWith('--suite='))?.slice('--suite='.length);
const outArg = process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
if (suiteArg !== undefined && outArg !== undefined) {
  const suite = suites.find((s) => s.name === suiteArg);
  if (!suite) throw new Error(`no suite ${suiteArg}`);
  const result = await suite.run();
  writeFileSync(outArg, JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  process.exit(0);
}

function runInChild(name: string): Promise<{ table: string; data: unknown }> {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-')), `${name}.json`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--suite=${name}`, `--out=${out}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] ?? 'ERROR', NODE_NO_WARNINGS: '1' },
    });
    child.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`suite ${name} exited with ${code}`));
      try {
        done(JSON.parse(readFileSync(out, 'utf8')) as { table: string; data: unknown });
      } catch (error) {
        fail(error as Error);
      }
    });
  });
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = wanted.length > 0 ? suites.filter((s) => wanted.includes(s.name)) : suites;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')}`;
console.log(`# Benchmarks (${new Date().toISOString()})\n${machine}\n`);

const results: Record<string, unknown> = { machine, startedAt: new Date().toISOString() };
let failures = 0;
for (const suite of selected) {
  const started = Date.now();
  console.log(`## ${suite.name}`);
  try {
    const { table, data } = await runInChild(suite.name);
    console.log(`${table}\n(${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    results[suite.name] = data;
  } catch (error) {
    failures++;
    console.log(`FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    results[suite.name] = { error: String(error) };
  }
}
mkdirSync('bench-results', { recursive: true });
const file = `bench-results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify(results, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`);
console.log(`saved ${file}`);
process.exitCode = failures > 0 ? 1 : 0;

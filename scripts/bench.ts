/**
 * `npm run bench`: every benchmark of the layer, one after the other, each side by side with its
 * baseline, on this machine. Not a test: it takes minutes and its numbers depend on the machine.
 * Results are printed as Markdown tables and saved to bench-results/<timestamp>.json.
 *
 *   npm run bench                      all of them
 *   npm run bench -- positions notices only those (bundles, positions, notices, receipts, io)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

interface Suite {
  readonly name: string;
  run(): Promise<{ table: string; data: unknown }>;
}

const suites: Suite[] = [
  {
    name: 'bundles',
    async run() {
      const { benchBundles, formatTable } = await import('./bench-bundles');
      const data = await benchBundles({ runs: 5 });
      return { table: formatTable(data), data };
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
      const mod = (await import('./bench-receipts')) as Record<string, unknown>;
      const run = mod['benchReceipts'] as () => Promise<unknown>;
      const format = (mod['formatReceiptsTable'] ?? mod['formatTable']) as ((d: unknown) => string) | undefined;
      const data = await run();
      return { table: format ? format(data) : JSON.stringify(data, null, 2), data };
    },
  },
  {
    name: 'io',
    async run() {
      const mod = (await import('./bench-io')) as Record<string, unknown>;
      const run = mod['benchIo'] as () => Promise<unknown>;
      const format = (mod['formatIoTable'] ?? mod['formatTable']) as ((d: unknown) => string) | undefined;
      const data = await run();
      return { table: format ? format(data) : JSON.stringify(data, null, 2), data };
    },
  },
];

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
    const { table, data } = await suite.run();
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

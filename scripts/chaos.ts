/**
 * Chaos run on the local layer: N debt positions over REST, notices and App IO
 * messages under injected IO faults, ~70% of the payable options paid through the pagoPA node
 * simulator with duplicate, late and concurrent receipts, KO receipts, JSON-webhook receipts,
 * poison messages, back-office webhooks, and the workers killed and restarted; then every
 * invariant checked. Then the reconciliation phase (chaos/reconciliation.ts): the FdR simulator's
 * flows of those payments with injected discrepancies, late and out-of-order flows, revisions,
 * the workers killed again, treasury statements; and its invariants. The report goes to
 * bench-results/chaos-<timestamp>.json (git-ignored).
 *
 *   npm run chaos -- [--positions 10000] [--seed 42] [--concurrency 8] [--pause-ms 1500]
 *                    [--receipt-visibility 3] [--drain-timeout-min 60] [--out bench-results]
 *
 * Exit code 1 when any invariant is violated (or fewer than three worker kills happened).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runChaos, type ChaosOptions, type ChaosReport } from './chaos/run';

export function parseChaosArgs(argv: readonly string[]): ChaosOptions & { out: string } {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const value = argv[++i];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    flags.set(arg.slice(2), value);
  }
  const known = ['positions', 'seed', 'concurrency', 'pause-ms', 'receipt-visibility', 'drain-timeout-min', 'out'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.map((x) => `--${x}`).join(' ')})`);
  const int = (name: string, fallback: number, min: number) => {
    const v = flags.get(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`--${name} must be a whole number ≥ ${min}`);
    return Number(v);
  };
  return {
    positions: int('positions', 10_000, 1),
    seed: int('seed', 42, 0),
    concurrency: int('concurrency', 8, 1),
    pauseMs: int('pause-ms', 1500, 0),
    receiptVisibilitySeconds: int('receipt-visibility', 3, 1),
    drainTimeoutMs: int('drain-timeout-min', 60, 1) * 60_000,
    out: flags.get('out') ?? 'bench-results',
    log: (line) => console.log(line),
  };
}

export function summary(report: ChaosReport): string {
  const lines = [
    `chaos ${report.ok ? 'PASSED' : 'FAILED'}: ${report.counts['positions']} positions, seed ${report.options.seed}, ${report.seconds['total']} s total`,
    `  phases (s): ${Object.entries(report.seconds).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  throughput: ${Object.entries(report.throughput).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  counts: ${Object.entries(report.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  IO faults seen: ${report.faults['io429']} × 429, ${report.faults['io500']} × 500, ${report.faults['ioNoAnswer']} unanswered of ${report.faults['ioRequestsSeen']} requests; webhook tries refused by receivers: ${report.faults['webhookTriesRefusedByReceivers']}`,
    `  worker kills: ${report.kills.map((k) => `${k.phase}@${k.atSeconds}s (${k.deadMs} ms)`).join(', ')}`,
    ...report.invariants.map((i) => `  ${i.violations === 0 ? 'ok  ' : 'FAIL'} ${i.name}: ${i.checked} checked, ${i.violations} violated${i.examples.length ? `\n         ${i.examples.join('\n         ')}` : ''}`),
    `  layer ERROR lines: ${report.layerErrors.count}`,
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const options = parseChaosArgs(process.argv.slice(2));
    const report = await runChaos(options);
    console.log(summary(report));
    const dir = resolve(options.out);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `chaos-${report.startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`report: ${file}`);
    process.exitCode = report.ok ? 0 : 1;
  } catch (error) {
    console.error((error as Error).stack ?? String(error));
    process.exitCode = 2;
  }
}

/**
 * Citizen messages through the whole local stack: positions are created with the workers
 * stopped, then the workers start and the clock runs until every position's message is in the
 * App IO simulator (table stream → dispatcher → io-messages → io-sender → simulator).
 *
 * Scenarios: simulator at 0 ms and 50 ms latency, with 10% injected 429, and at the default
 * per-service rate budget (20 IO calls/s = 10 messages/s). Duplicates (more than one message
 * for a notice number) are counted from the simulator and must be 0.
 *
 *   npx tsx scripts/bench-io.ts [positions per scenario, default 150]
 *   (or `npm run bench -- io`)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalCloud } from '../infra/local/cloud';
import { createLocalIo } from '../infra/local/io-local';
import { REPO_ROOT } from '../infra/local/lambda-runtime';
import { seedOrganizations } from '../infra/local/seed';

const ESEMPIO_FC = '80001234568';
const ESEMPIO_KEY = 'demo-esempio-key-0123456789abcdef';
const DEBTOR = 'RCCMNL83S18D969H';

export interface IoScenarioResult {
  readonly scenario: string;
  readonly positions: number;
  readonly messages: number;
  readonly duplicates: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  readonly injected429: number;
  readonly ioCallsPerSecond: number;
}

interface Scenario {
  readonly name: string;
  readonly latencyMs: number;
  readonly rate429: number;
  readonly ratePerSecond: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'latency 0 ms', latencyMs: 0, rate429: 0, ratePerSecond: 1000 },
  { name: 'latency 50 ms', latencyMs: 50, rate429: 0, ratePerSecond: 1000 },
  { name: 'latency 0 ms, 10% 429', latencyMs: 0, rate429: 0.1, ratePerSecond: 1000 },
  { name: 'default budget (20 calls/s)', latencyMs: 0, rate429: 0, ratePerSecond: 20 },
];

function seedWithRate(dir: string, ratePerSecond: number): string {
  const seed = JSON.parse(readFileSync(resolve(REPO_ROOT, 'infra/local/seed.json'), 'utf8')) as { organizations: Array<Record<string, any>> };
  for (const org of seed.organizations) {
    if (org['io']?.apiKey) org['io'] = { services: [{ serviceId: 'default', name: org['name'], apiKey: org['io'].apiKey, ratePerSecond }] };
  }
  const file = join(dir, `seed-${ratePerSecond}.json`);
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

function body(i: number, run: string): Record<string, unknown> {
  return {
    iupd: `BENCH-${run}-${i}`,
    type: 'F',
    fiscalCode: DEBTOR,
    fullName: 'Mario Rossi',
    companyName: 'Comune di Esempio',
    paymentOption: [
      {
        amount: 1000 + i,
        description: 'TARI - rata unica',
        isPartialPayment: false,
        dueDate: '2099-03-31',
        transfer: [{ idTransfer: '1', amount: 1000 + i, remittanceInformation: 'TARI', category: '9/0101108TS/', iban: 'IT78L0306909606100000117002' }],
      },
    ],
  };
}

export async function benchIo(options: { positions?: number } = {}): Promise<IoScenarioResult[]> {
  const n = options.positions ?? 150;
  const dir = mkdtempSync(join(tmpdir(), 'bench-io-'));
  const io = createLocalIo({ outboxDir: join(dir, 'outbox') });
  const cloud = await startLocalCloud({ port: 0, log: () => undefined, mounts: io.mounts });
  const saved = { IO_API_URL: process.env['IO_API_URL'], IO_BACKOFF_BASE_SECONDS: process.env['IO_BACKOFF_BASE_SECONDS'], IO_BACKOFF_MAX_SECONDS: process.env['IO_BACKOFF_MAX_SECONDS'], POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] };
  process.env['IO_API_URL'] = io.apiUrl(cloud.url);
  process.env['IO_BACKOFF_BASE_SECONDS'] = '1';
  process.env['IO_BACKOFF_MAX_SECONDS'] = '2';
  process.env['POWERTOOLS_LOG_LEVEL'] = 'ERROR';
  const results: IoScenarioResult[] = [];
  try {
    for (const [index, scenario] of SCENARIOS.entries()) {
      await seedOrganizations(seedWithRate(dir, scenario.ratePerSecond), cloud);
      io.sim.reset();
      io.sim.registerService({ serviceId: 'default', apiKey: 'demo-esempio-io-key-0123456789abcdef', name: 'Comune di Esempio', organizationName: 'Comune di Esempio' });
      io.sim.registerCitizen({ fiscalCode: DEBTOR });
      await cloud.stopWorkers();
      const run = `${index}-${Date.now().toString(36)}`;
      const bodies = Array.from({ length: n }, (_, i) => body(i, run));
      for (let i = 0; i < bodies.length; i += 8) {
        await Promise.all(
          bodies.slice(i, i + 8).map(async (b) => {
            const r = await fetch(`${cloud.url}/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, {
              method: 'POST',
              headers: { 'Ocp-Apim-Subscription-Key': ESEMPIO_KEY, 'Content-Type': 'application/json' },
              body: JSON.stringify(b),
            });
            if (r.status !== 201) throw new Error(`create failed: ${r.status} ${await r.text()}`);
          }),
        );
      }
      io.sim.setFaults({ latencyMs: scenario.latencyMs, rate429: scenario.rate429, rate500: 0, timeoutRate: 0 });
      const started = Date.now();
      cloud.startWorkers();
      const deadline = started + 300_000;
      while (io.sim.messages().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const seconds = (Date.now() - started) / 1000;
      await cloud.drain({ timeoutMs: 120_000 });
      const byNotice = new Map<string, number>();
      for (const m of io.sim.messages()) {
        const nav = m.content.payment_data?.notice_number ?? m.id;
        byNotice.set(nav, (byNotice.get(nav) ?? 0) + 1);
      }
      const duplicates = [...byNotice.values()].reduce((sum, c) => sum + (c - 1), 0);
      results.push({
        scenario: scenario.name,
        positions: n,
        messages: io.sim.messages().length,
        duplicates,
        seconds: Math.round(seconds * 100) / 100,
        messagesPerSecond: Math.round((io.sim.messages().length / seconds) * 10) / 10,
        injected429: io.sim.state.requests.filter((r) => r.injected && r.status === 429).length,
        ioCallsPerSecond: Math.round(((io.sim.state.requests.length / seconds) * 10)) / 10,
      });
      io.sim.setFaults({ latencyMs: 0, rate429: 0 });
    }
  } finally {
    await cloud.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return results;
}

export function formatIoTable(results: readonly IoScenarioResult[]): string {
  const head = '| scenario | positions | messages | duplicates | seconds | messages/s | injected 429 | IO calls/s (avg) |\n|---|---:|---:|---:|---:|---:|---:|---:|';
  const rows = results.map((r) => `| ${r.scenario} | ${r.positions} | ${r.messages} | ${r.duplicates} | ${r.seconds} | ${r.messagesPerSecond} | ${r.injected429} | ${r.ioCallsPerSecond} |`);
  return [head, ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const positions = Number(process.argv[2] ?? 150);
  benchIo({ positions })
    .then((r) => {
      console.log(formatIoTable(r));
      process.exit(r.some((x) => x.duplicates > 0 || x.messages !== x.positions) ? 1 : 0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}

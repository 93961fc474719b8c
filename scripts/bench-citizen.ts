/**
 * The citizen's counter page against its baseline, in one run on the local stack (`npm run bench
 * -- citizen`): a citizen with 20 positions at each of the two seed municipalities opens
 * GET /cittadino/ (session check, one dossier read per municipality, HTML rendered), side by side
 * with what a client of the back office's JSON API pays for the same data: the two dossier calls
 * GET /organizations/{ofc}/debtors/{fc}/dossier?limit=50, one after the other. Sequential
 * requests over real HTTP; p50/p95 of `runs` after a warm-up; the page's size plain and gzip.
 */
import { gzipSync } from 'node:zlib';
import { startLocalLayer, temporaryOutbox } from '../infra/local/layer';
import { signInAsCitizen } from '../test/support/citizen-sign-in';

const CITIZEN = 'RSSMRA80A01H501U';
const TENANTS = [
  { fc: '80001234568', key: 'demo-esempio-key-0123456789abcdef', iban: 'IT78L0306909606100000117002' },
  { fc: '80007654322', key: 'demo-altrove-key-0123456789abcdef', iban: 'IT47K0503401633000000012345' },
];

export interface CitizenBench {
  readonly positionsPerTenant: number;
  readonly runs: number;
  readonly rows: Array<{ what: string; p50Ms: number; p95Ms: number; maxMs: number }>;
  readonly pageBytes: number;
  readonly pageGzipBytes: number;
}

const quantile = (s: number[], q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
const summary = (what: string, ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { what, p50Ms: quantile(s, 0.5), p95Ms: quantile(s, 0.95), maxMs: s[s.length - 1]! };
};

export async function benchCitizen(options: { positionsPerTenant?: number; runs?: number } = {}): Promise<CitizenBench> {
  const positionsPerTenant = options.positionsPerTenant ?? 20;
  const runs = options.runs ?? 60;
  const layer = await startLocalLayer({ port: 0, log: () => {}, outboxDir: temporaryOutbox() });
  const base = layer.cloud.url;
  try {
    const due = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    for (const t of TENANTS) {
      for (let i = 0; i < positionsPerTenant; i++) {
        const res = await fetch(`${base}/organizations/${t.fc}/debtpositions?toPublish=true`, {
          method: 'POST',
          headers: { 'Ocp-Apim-Subscription-Key': t.key, 'content-type': 'application/json' },
          body: JSON.stringify({
            iupd: `BENCH-CIT-${t.fc}-${i}`,
            type: 'F',
            fiscalCode: CITIZEN,
            fullName: 'Mario Rossi',
            paymentOption: [{ amount: 1000 + i, description: `Tributo ${i}`, isPartialPayment: false, dueDate: due, transfer: [{ idTransfer: '1', amount: 1000 + i, remittanceInformation: `Tributo ${i}`, category: '9/0101002IM/', iban: t.iban }] }],
          }),
        });
        if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
      }
    }
    await layer.cloud.drain({ timeoutMs: 120_000 });
    const { cookie } = await signInAsCitizen(base, CITIZEN);
    const page = async () => {
      const res = await fetch(`${base}/cittadino/`, { headers: { cookie } });
      const html = await res.text();
      if (res.status !== 200 || (html.match(/name="avviso"/g)?.length ?? 0) !== 2 * positionsPerTenant) throw new Error(`counter page: ${res.status}`);
      return html;
    };
    const dossiers = async () => {
      for (const t of TENANTS) {
        const res = await fetch(`${base}/organizations/${t.fc}/debtors/${CITIZEN}/dossier?limit=50`, { headers: { 'Ocp-Apim-Subscription-Key': t.key } });
        const body = (await res.json()) as { positions?: unknown[] };
        if (res.status !== 200 || body.positions?.length !== positionsPerTenant) throw new Error(`dossier: ${res.status}`);
      }
    };
    const time = async (run: () => Promise<unknown>) => {
      for (let i = 0; i < 5; i++) await run();
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await run();
        ms.push(performance.now() - t0);
      }
      return ms;
    };
    const counterMs = await time(page);
    const apiMs = await time(dossiers);
    const html = await page();
    return {
      positionsPerTenant,
      runs,
      rows: [summary('counter page GET /cittadino/ (2 municipalities, HTML)', counterMs), summary('baseline: 2 dossier API calls (JSON), sequential', apiMs)],
      pageBytes: Buffer.byteLength(html),
      pageGzipBytes: gzipSync(html).length,
    };
  } finally {
    await layer.stop();
  }
}

export function formatCitizenTable(b: CitizenBench): string {
  const rows = b.rows.map((r) => `| ${r.what} | ${b.runs} | ${r.p50Ms.toFixed(1)} | ${r.p95Ms.toFixed(1)} | ${r.maxMs.toFixed(1)} |`);
  return [
    `${b.positionsPerTenant} positions at each of 2 municipalities; page ${(b.pageBytes / 1024).toFixed(1)} KB of HTML, ${(b.pageGzipBytes / 1024).toFixed(1)} KB gzip (no JavaScript)`,
    '',
    '| request | runs | p50 ms | p95 ms | max ms |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const data = await benchCitizen();
  console.log(formatCitizenTable(data));
  process.exit(0);
}

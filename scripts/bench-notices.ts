/**
 * Numbers for the notice functions:
 *  1. bundle size of each notice function with the CDK's esbuild options (infra/aws/bundling.ts),
 *     and how much of it is the renderer (shared/notice: font metrics, QR/DataMatrix, PDF writer);
 *  2. the per-position cost of the work they do: position+organization → NoticeDocument →
 *     renderNotice, for a rata unica and for 1 + 3 installments with the Poste block.
 *
 *   npx tsx scripts/bench-notices.ts            (or: npm run bench:notices)
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { esbuildOptions } from '../infra/aws/bundling';
import { toNoticeDocument } from '../shared/domain/notice/from-position';
import { renderNotice } from '../shared/notice';
import { ESEMPIO, option, position } from '../test/fixtures/positions';

const FUNCTIONS = ['get-debt-position-notice', 'notice-renderer', 'notice-batch-worker', 'create-notice-batch', 'get-notice-batch'];

async function bundles(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'notice-bundles-'));
  try {
    console.log('function                     minified KB  gzip KB  of which shared/notice KB');
    for (const id of FUNCTIONS) {
      const outfile = path.join(dir, id, 'index.mjs');
      const result = await build({ ...esbuildOptions(`functions/${id}/handler.ts`, outfile), metafile: true });
      const bytes = (await stat(outfile)).size;
      const gz = gzipSync(readFileSync(outfile)).length;
      const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
      const notice = Object.entries(output?.inputs ?? {})
        .filter(([file]) => file.startsWith('shared/notice/'))
        .reduce((sum, [, v]) => sum + v.bytesInOutput, 0);
      console.log(
        `${id.padEnd(28)} ${(bytes / 1024).toFixed(1).padStart(11)}  ${(gz / 1024).toFixed(1).padStart(7)}  ${(notice / 1024).toFixed(1).padStart(26)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function timeRenders(label: string, make: () => Uint8Array, n: number): void {
  for (let i = 0; i < 50; i++) make(); // warm-up (JIT)
  const times: number[] = [];
  let size = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    size = make().length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const total = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
  console.log(`${label.padEnd(34)} ${(n / total).toFixed(0).padStart(6)}/s  p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  ${(size / 1024).toFixed(1)} KB`);
}

function renders(): void {
  const POSTAL_IBAN = 'IT60X0760103200000012345678';
  const org = { ...ESEMPIO, postalAccount: { number: '000012345678', holder: 'Comune di Esempio - Tesoreria' } };
  const single = position({ status: 'VALID' });
  const toPostal = <T extends ReturnType<typeof option>>(o: T): T => ({
    ...o,
    transfers: o.transfers.map((t) => ({ ...t, iban: undefined, postalIban: POSTAL_IBAN })),
  });
  const withInstallments = position({
    status: 'VALID',
    paymentOptions: [
      toPostal(option({ amount: 15000 }, 1n)),
      ...[2n, 3n, 4n].map((b, i) => toPostal(option({ isPartialPayment: true, amount: 5000, dueDate: `2027-0${i + 4}-30T21:59:59.999Z` }, b))),
    ],
  });
  console.log('\nmapping + renderNotice, one thread');
  timeRenders('rata unica', () => renderNotice(toNoticeDocument(single, org)), 2000);
  timeRenders('1 + 3 installments, Poste', () => renderNotice(toNoticeDocument(withInstallments, org)), 1000);
}

await bundles();
renders();

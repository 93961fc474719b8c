/**
 * The bulk upload at the size a municipality's tax list has, on the local stack, checked row by
 * row (not a benchmark: a proof; `npm run bench:upload` is the benchmark):
 *
 *   npm run proof:upload -- [--positions 100000] [--bad 300] [--format json|csv|both] [--kills 3]
 *
 * For each format (a ZIP of one GPD JSON file; GovPay's default CSV, not zipped):
 * 1. N rows, of which `--bad` are refused for known reasons at known lines: an invalid debtor fiscal
 *    code, a due date in the past, transfers that do not add up to the option, an invalid IBAN, and
 *    pairs of rows with the same iupd (both refused);
 * 2. uploaded through the presigned S3 URL (the files are larger than the inline 5 MB), processed
 *    from the S3 event; meanwhile `--kills` chunk workers die after writing their positions and
 *    before recording their outcome, and one after its transactions and before the rest of its
 *    listing entries (the upload-chunks queue's visibility is set to 15 s for the run so that the
 *    redeliveries come soon);
 * 3. checks: the report names exactly the bad rows (line, iupd, the reason); every other row is
 *    created: VALID, with a notice number whose check digits are right (computed here, not by the
 *    layer), no notice number twice, and its notice rendered in the upload's notice batch; for the
 *    CSV, GovPay's result file gives each accepted row its notice number, the same as stored;
 * 4. the same bytes uploaded again: nothing created (every good row 409, every bad one refused
 *    again), the tenant's number of positions unchanged.
 * Exit code 1 if any check fails.
 */
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { parseArgs } from 'node:util';
import { batchGetAll } from '../shared/adapters/dynamo/client';
import { positionPk, SK } from '../shared/adapters/dynamo/keys';
import { DynamoUploadStore } from '../shared/adapters/dynamo/upload-store';
import { platform } from '../shared/composition/platform';
import type { DebtPosition } from '../shared/domain/debt-position';
import type { BatchState } from '../shared/domain/notice/batch';
import { positionRequest } from '../test/fixtures/positions';
import { ESEMPIO_FC, startLocalStack, type LocalStack } from '../test/support/local-stack';

const { values } = parseArgs({
  options: {
    positions: { type: 'string', default: '100000' },
    bad: { type: 'string', default: '300' },
    format: { type: 'string', default: 'both' },
    kills: { type: 'string', default: '3' },
  },
});
const N = Number(values.positions);
const BAD = Number(values.bad);
const KILLS = Number(values.kills);
const formats = values.format === 'both' ? (['json', 'csv'] as const) : ([values.format as 'json' | 'csv'] as const);
const FILES = `/brokers/${ESEMPIO_FC}/organizations/${ESEMPIO_FC}/debtpositions`;
const IBAN = 'IT78L0306909606100000117002';

type Defect = 'fiscalCode' | 'pastDue' | 'amounts' | 'iban' | 'duplicate';
const DEFECTS: readonly Defect[] = ['fiscalCode', 'pastDue', 'amounts', 'iban', 'duplicate'];
/** what the report's reasons must mention for each defect */
const REASON: Record<Defect, RegExp> = { fiscalCode: /fiscal/i, pastDue: /due/i, amounts: /amount/i, iban: /iban/i, duplicate: /appears 2 times/ };

interface Row {
  readonly line: number;
  readonly iupd: string;
  readonly defect?: Defect;
  readonly body: Record<string, any>;
}

/** N rows, BAD of them defective, spread over the file; a duplicate is a pair (both refused). */
function plan(prefix: string): Row[] {
  const every = Math.max(2, Math.floor(N / Math.max(1, BAD)));
  const rows: Row[] = [];
  let bad = 0;
  for (let i = 0; i < N; i++) {
    const line = i + 2;
    let iupd = `${prefix}-${String(i).padStart(6, '0')}`;
    const body = positionRequest({ iupd, fullName: `Contribuente ${i}` }) as Record<string, any>;
    let defect: Defect | undefined;
    if (i % every === every - 1 && bad < BAD) {
      defect = DEFECTS[Math.floor(i / every) % DEFECTS.length]!;
      if (defect === 'duplicate' && bad + 2 > BAD) defect = 'iban';
      const option = body['paymentOption'][0];
      if (defect === 'fiscalCode') body['fiscalCode'] = 'RCCMNL83S18D969A';
      if (defect === 'pastDue') option.dueDate = '2020-01-31';
      if (defect === 'amounts') option.transfer[0].amount = option.amount - 1;
      if (defect === 'iban') option.transfer[0].iban = 'IT00X0000000000000000000000';
      if (defect === 'duplicate') {
        // this row takes the previous row's iupd: both are refused
        const previous = rows[rows.length - 1]!;
        iupd = previous.iupd;
        body['iupd'] = iupd;
        rows[rows.length - 1] = { ...previous, defect: 'duplicate' };
        bad++;
      }
      bad++;
    }
    rows.push({ line, iupd, body, ...(defect ? { defect } : {}) });
  }
  return rows;
}

function gpdZip(rows: readonly Row[]): Uint8Array {
  // one position per line after the opening line: row i starts at line i + 2
  const json = `{"paymentPositions":[\n${rows.map((r) => JSON.stringify(r.body)).join(',\n')}\n]}\n`;
  return zipSync({ 'positions.json': strToU8(json) }, { level: 6 });
}

const GOVPAY_HEADER =
  'idA2A,idPendenza,idDominio,numeroAvviso,tipoPendenza,causale,importo,dataScadenza,tipoSoggettoPagatore,identificativoPagatore,anagraficaPagatore,indirizzoPagatore,civicoPagatore,capPagatore,localitaPagatore,provinciaPagatore,nazionePagatore,emailPagatore,idVoce1,importoVoce1,descrizioneVoce1,ibanAccreditoVoce1,tipoContabilitaVoce1,codiceContabilitaVoce1';
const euros = (cents: number) => (cents / 100).toFixed(2);

function govpayCsv(rows: readonly Row[]): Uint8Array {
  const lines = [GOVPAY_HEADER];
  for (const { body } of rows) {
    const o = body['paymentOption'][0];
    const t = o.transfer[0];
    lines.push(
      ['TRIBUTI', body['iupd'], ESEMPIO_FC, '', 'TARI', o.description, euros(o.amount), o.dueDate, body['type'], body['fiscalCode'], body['fullName'], body['streetName'], body['civicNumber'], body['postalCode'], body['city'], body['province'], 'IT', body['email'], `${body['iupd']}-1`, euros(t.amount), t.remittanceInformation, t.iban, 'SPECIALE', '0101108TS'].join(','),
    );
  }
  return strToU8(`${lines.join('\n')}\n`);
}

/** pagoPA's check digits of an aux-3 notice number, computed here (SACI: (3 ‖ code ‖ base) mod 93). */
const checkDigitsOk = (nav: string): boolean => /^3\d{17}$/.test(nav) && Number(BigInt(nav.slice(0, 16)) % 93n) === Number(nav.slice(16));

async function uploadPresigned(stack: LocalStack, fileName: string, bytes: Uint8Array): Promise<string> {
  const answer = await stack.api('POST', `${FILES}/file/uploads`, { body: { fileName, size: bytes.length } });
  if (answer.status !== 201) throw new Error(`announce: ${answer.status} ${answer.text}`);
  const put = await fetch(answer.json.uploadUrl, { method: 'PUT', headers: answer.json.headers, body: bytes });
  if (put.status !== 200) throw new Error(`PUT: ${put.status} ${await put.text()}`);
  return answer.json.fileId as string;
}

async function finished(stack: LocalStack, fileId: string): Promise<any> {
  for (;;) {
    const status = await stack.api('GET', `${FILES}/file/${fileId}/status`);
    if (status.status !== 200) throw new Error(`status: ${status.status} ${status.text}`);
    if (status.json.operationStatus !== 'IN_PROGRESS') return status.json;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function positionsOfTenant(stack: LocalStack): Promise<number> {
  for (;;) {
    const page = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions?limit=1&page=0`);
    if (page.status === 200) return page.json.page_info.total_pages as number;
    if (page.status !== 503) throw new Error(`list: ${page.status} ${page.text}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

// the kills: chunk workers that die after writing their positions, before recording their outcome
let chunksSeen = 0;
let killsLeft = 0;
let killEvery = 1;
let listingKill = false;
const killed: string[] = [];
const store = DynamoUploadStore.prototype as unknown as Record<string, (...args: any[]) => Promise<unknown>>;
const recordChunk = store['recordChunk']!;
store['recordChunk'] = async function (this: unknown, upload: { fileId: string }, chunk: number, outcomes: unknown[]) {
  if (chunk >= 0 && killsLeft > 0 && ++chunksSeen % killEvery === 0) {
    killsLeft--;
    killed.push(`chunk ${chunk}: after its positions, before its outcome`);
    throw new Error('killed by the proof run');
  }
  return recordChunk.call(this, upload, chunk, outcomes);
};
const completeListings = store['completeListings']!;
store['completeListings'] = async function (this: unknown, positions: unknown[]) {
  if (listingKill) {
    listingKill = false;
    killed.push('a chunk: after its transactions, before the rest of its listing');
    throw new Error('killed by the proof run');
  }
  return completeListings.call(this, positions);
};

const stack = await startLocalStack();
try {
  await new SQSClient({ endpoint: stack.cloud.endpoints.sqs, region: stack.cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }).send(
    new SetQueueAttributesCommand({ QueueUrl: stack.cloud.env['QUEUE_URL_UPLOAD_CHUNKS'], Attributes: { VisibilityTimeout: '15' } }),
  );
  const run = Date.now().toString(36).toUpperCase();
  console.log(`upload proof ${new Date().toISOString()} (Node ${process.version}): ${N} rows per file, ${BAD} bad, ${KILLS} + 1 worker deaths per upload`);
  for (const format of formats) {
    const rows = plan(`PRF${format === 'json' ? 'J' : 'C'}-${run}`);
    const bad = rows.filter((r) => r.defect);
    const good = rows.filter((r) => !r.defect);
    const bytes = format === 'json' ? gpdZip(rows) : govpayCsv(rows);
    const fileName = format === 'json' ? 'tari.zip' : 'tari.csv';
    console.log(`\n${format === 'json' ? 'GPD ZIP/JSON' : 'GovPay CSV'}: ${rows.length} rows, ${bad.length} bad (${DEFECTS.map((d) => `${d} ${bad.filter((r) => r.defect === d).length}`).join(', ')}), ${(bytes.length / 1024 / 1024).toFixed(1)} MB`);
    const before = await positionsOfTenant(stack);
    chunksSeen = 0;
    killsLeft = KILLS;
    killEvery = Math.max(1, Math.floor(good.length / 100 / Math.max(1, KILLS + 1)));
    listingKill = true;
    killed.length = 0;
    const t0 = Date.now();
    const fileId = await uploadPresigned(stack, fileName, bytes);
    const status = await finished(stack, fileId);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`  upload → report ${seconds.toFixed(1)} s, ${(rows.length / seconds).toFixed(0)} rows/s; ${killed.length} deaths: ${killed.join('; ')}`);
    check(status.state === 'COMPLETED' && status.submittedItem === rows.length && status.processedItem === rows.length, `COMPLETED, ${status.processedItem} of ${status.submittedItem} rows processed`);
    check(status.acceptedItem === good.length, `${status.acceptedItem} accepted, ${good.length} expected`);
    check(killed.length === KILLS + 1, `${KILLS + 1} worker deaths injected (${killed.length})`);

    const reportAsked = Date.now();
    const report = await stack.api('GET', `${FILES}/file/${fileId}/report`);
    console.log(`  report: ${report.status}, ${(report.text.length / 1024 / 1024).toFixed(1)} MB in ${((Date.now() - reportAsked) / 1000).toFixed(1)} s`);
    if (report.status !== 200) {
      check(false, `the report answers 200 (${report.status} ${report.text.slice(0, 300)})`);
      continue;
    }
    const refused = report.json.rows as Array<{ line: number; iupd: string; statusCode: number; reasons: string[] }>;
    const key = (r: { line: number; iupd: string }) => `${r.line}:${r.iupd}`;
    const expected = new Map(bad.map((r) => [key(r), r]));
    check(refused.length === bad.length && refused.every((r) => expected.has(key(r))), `the report names exactly the ${bad.length} bad rows (${refused.length} named)`);
    const wrongReason = refused.filter((r) => !REASON[expected.get(key(r))?.defect ?? 'duplicate'].test(r.reasons.join(' ')));
    check(wrongReason.length === 0, `each with its reason (${wrongReason.length} other: ${wrongReason.slice(0, 2).map((r) => `${r.line} ${r.reasons.join(' | ')}`).join('; ')})`);
    const created = (report.json.responses as Array<{ statusCode: number; iupds: string[] }>).find((r) => r.statusCode === 201)?.iupds ?? [];
    check(created.length === good.length && new Set(created).size === good.length && good.every((r) => created.includes(r.iupd) || false), `the report's 201 iupds are the good rows`);

    // every created position, read from the table
    const items = await batchGetAll(platform().db, platform().tableName, good.map((r) => ({ pk: positionPk(ESEMPIO_FC, r.iupd), sk: SK.position })), { projection: 'pk, sk, #p, uploadId', names: { '#p': 'position' } });
    const positions = [...items.values()].map((i) => ({ position: i['position'] as DebtPosition, uploadId: i['uploadId'] }));
    const navs = positions.flatMap((p) => p.position.paymentOptions.map((o) => o.nav));
    check(positions.length === good.length && positions.every((p) => p.uploadId === fileId), `${positions.length} positions stored, each marked with this upload`);
    check(positions.every((p) => p.position.status === 'VALID'), `every one VALID (${positions.filter((p) => p.position.status !== 'VALID').length} not)`);
    check(navs.every(checkDigitsOk) && new Set(navs).size === navs.length, `${navs.length} notice numbers, check digits right (${navs.filter((n) => !checkDigitsOk(n)).length} wrong), none twice (${navs.length - new Set(navs).size})`);
    if (format === 'csv') {
      const result = await stack.api('GET', `${FILES}/file/${fileId}/report?format=csv`);
      const lines = result.text.trim().split(/\r?\n/);
      const header = lines[0]!.split(',');
      const col = (name: string) => header.indexOf(name);
      const stored = new Map(positions.map((p) => [p.position.iupd, p.position.paymentOptions[0]!.nav]));
      const resultRows = lines.slice(1).map((l) => l.split(','));
      const agree = resultRows.filter((c) => stored.has(c[col('idPendenza')]!) && stored.get(c[col('idPendenza')]!) === c[col('numeroAvviso')]).length;
      const withError = resultRows.filter((c) => (c[col('errore')] ?? '').trim() !== '').length;
      check(resultRows.length === rows.length && agree === good.length && withError === bad.length, `GovPay result file: ${resultRows.length} lines, ${agree} notice numbers as stored, ${withError} with errore`);
    }

    // the upload's notice batch: every created position's notice rendered
    const n0 = Date.now();
    let batch: { state: BatchState; total: number; done: number; failed: number };
    // RUNNING until every position has a result (shared/domain/notice/batch.ts)
    for (;;) {
      batch = (await stack.api('GET', `/organizations/${ESEMPIO_FC}/notices/batches/${report.json.noticeBatchId}`)).json;
      if (batch.state !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    check(batch.total === good.length && batch.done === good.length && batch.failed === 0, `notice batch ${batch.state}: ${batch.done} of ${batch.total} notices rendered, ${batch.failed} failed (${((Date.now() - n0) / 1000).toFixed(0)} s after the report)`);

    // the same file again: nothing created
    const r0 = Date.now();
    const again = await finished(stack, await uploadPresigned(stack, fileName, bytes));
    const againReport = (await stack.api('GET', `${FILES}/file/${again.fileId}/report`)).json;
    const conflicts = (againReport.rows as Array<{ statusCode: number }>).filter((r) => r.statusCode === 409).length;
    check(again.acceptedItem === 0 && again.processedItem === rows.length, `the same file again: ${again.acceptedItem} created, ${conflicts} rows 409 (exist already), ${((Date.now() - r0) / 1000).toFixed(1)} s`);
    const after = await positionsOfTenant(stack);
    check(after === before + good.length, `the tenant has ${after - before} more positions (${good.length} expected)`);
  }
} finally {
  await stack.stop();
}
console.log(failures.length === 0 ? '\nupload proof PASSED' : `\nupload proof FAILED: ${failures.length} checks\n${failures.map((f) => `  - ${f}`).join('\n')}`);
process.exit(failures.length === 0 ? 0 : 1);

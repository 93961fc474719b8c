/**
 * The FdR simulator of the running local stack (`npm start`) closes a day: one reporting flow per
 * PSP of the receipts of that day not reported yet, published on its FdR organization API; the
 * layer acquires them at its next poll, or now with POST …/reportingflows/sync /
 * `npm run admin -- fdr-sync --org <fc>`.
 *
 *   npm run fdr:close -- [--date YYYY-MM-DD] [--org <fc>] [--url http://127.0.0.1:3000]
 *                        [--omit <n>] [--extra] [--off-by-cents <n>] [--revoke-first] [--header-mismatch]
 *   npm run fdr:close -- --statement csv|camt053 --org <fc> [--date YYYY-MM-DD]   (prints the treasury statement)
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    date: { type: 'string' },
    org: { type: 'string' },
    url: { type: 'string' },
    omit: { type: 'string' },
    extra: { type: 'boolean' },
    'off-by-cents': { type: 'string' },
    'revoke-first': { type: 'boolean' },
    'header-mismatch': { type: 'boolean' },
    statement: { type: 'string' },
  },
});

const stateFile = resolve(process.env.LOCAL_STATE_FILE ?? '.local-data/local-cloud.json');
const url = (values.url ?? (existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string }).url : 'http://127.0.0.1:3000')).replace(/\/+$/, '');
const date = values.date ?? new Date().toISOString().slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
  console.error('fdr:close: --date must be YYYY-MM-DD');
  process.exit(2);
}

if (values.statement) {
  if (!values.org) {
    console.error('fdr:close: --statement needs --org');
    process.exit(2);
  }
  const r = await fetch(`${url}/_sim/fdr/_admin/statement?organizationId=${values.org}&date=${date}&format=${values.statement === 'camt053' ? 'camt053' : 'csv'}`);
  process.stdout.write(await r.text());
} else {
  const faults = {
    ...(values.omit ? { omitPayments: Number(values.omit) } : {}),
    ...(values.extra ? { extraPayment: true } : {}),
    ...(values['off-by-cents'] ? { amountOffCents: Number(values['off-by-cents']) } : {}),
    ...(values['revoke-first'] ? { revokeFirst: true } : {}),
    ...(values['header-mismatch'] ? { headerMismatch: true } : {}),
  };
  const r = await fetch(`${url}/_sim/fdr/_admin/close`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ date, ...(values.org ? { organizationId: values.org } : {}), ...(Object.keys(faults).length > 0 ? { faults } : {}) }),
  });
  const body = (await r.json()) as { flows?: Array<{ fdr: string; pspId: string; organizationId: string; payments: number; sumPayments: string }> };
  if (!r.ok) {
    console.error(`fdr:close: ${r.status} ${JSON.stringify(body)}`);
    process.exit(1);
  }
  const flows = body.flows ?? [];
  console.log(flows.length === 0 ? `no receipts of ${date} left to report` : flows.map((f) => `published ${f.fdr} (PSP ${f.pspId}) for ${f.organizationId}: ${f.payments} payments, ${f.sumPayments} EUR`).join('\n'));
}

/**
 * The pagoPA node, simulated: pays a notice on the local stack the way the node does:
 * paVerifyPaymentNotice → paGetPaymentV2 → paSendRTV2 (or the signed JSON receipt webhook),
 * printing each SOAP exchange. The broker and station ids come from the seed file.
 *
 *   npm run pay -- <notice number> [--org <fc>] [--url http://127.0.0.1:3000] [--amount <cents>]
 *                  [--ko] [--twice] [--delay <ms>] [--json-webhook] [--seed infra/local/seed.json]
 *
 * `payNotice(opts)` is the same thing as a function, for e2e tests, benchmarks and chaos runs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  buildNodeRequest,
  parseStationResponse,
  soapActionFor,
  type CodecFault,
  type Operation,
  type PaymentData,
  type Receipt,
  type StationResponse,
} from '../shared/http/pagopa-soap';
import { RECEIPT_SIGNATURE_HEADER, signReceiptRequest } from '../shared/http/receipt-signature';

export interface PayOptions {
  readonly noticeNumber: string;
  /** creditor fiscal code; default: the seed organization whose segregation code the notice carries */
  readonly org?: string;
  readonly url?: string;
  /** cents to declare paid (default: the amount the station asked for) */
  readonly amount?: number;
  /** send an outcome KO receipt */
  readonly ko?: boolean;
  /** deliver the same receipt twice (the node does re-send) */
  readonly twice?: boolean;
  /** pause between the steps, ms */
  readonly delayMs?: number;
  /** deliver the receipt through POST /receipts (signed JSON) instead of paSendRTV2 */
  readonly jsonWebhook?: boolean;
  readonly seedFile?: string;
  /** where the exchanges are printed; default console.log; () => {} for silence */
  readonly log?: (line: string) => void;
  /** fixed receipt id (default random, 32 hex) */
  readonly receiptId?: string;
  /** skip verify and get payment: send only the receipt built from a previous run */
  readonly receipt?: Receipt;
}

export interface Exchange {
  readonly operation: Operation | 'receipt-webhook';
  readonly httpStatus: number;
  readonly outcome: 'OK' | 'KO' | 'ERROR';
  readonly faultCode?: string;
  readonly requestBody: string;
  readonly responseBody: string;
}

export interface PayResult {
  /** OK when every step answered OK */
  readonly outcome: 'OK' | 'KO';
  /** the first fault met (e.g. PAA_PAGAMENTO_DUPLICATO at verify) */
  readonly faultCode?: string;
  readonly exchanges: readonly Exchange[];
  readonly payment?: PaymentData;
  readonly receipt?: Receipt;
}

interface SeedOrg {
  fiscalCode: string;
  name: string;
  segregationCode: string;
  brokerId: string;
  stationId: string;
  webhookSecrets?: string[];
}

function seedOrganization(seedFile: string, noticeNumber: string, fiscalCode: string | undefined): SeedOrg {
  const orgs = (JSON.parse(readFileSync(seedFile, 'utf8')) as { organizations: SeedOrg[] }).organizations;
  const found = fiscalCode
    ? orgs.find((o) => o.fiscalCode === fiscalCode)
    : orgs.find((o) => noticeNumber.startsWith(`3${o.segregationCode}`));
  if (!found) throw new Error(`no organization in ${seedFile} for ${fiscalCode ?? `notice ${noticeNumber}`}`);
  return found;
}

export async function payNotice(opts: PayOptions): Promise<PayResult> {
  const url = (opts.url ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const log = opts.log ?? ((line: string) => console.log(line));
  const org = seedOrganization(opts.seedFile ?? 'infra/local/seed.json', opts.noticeNumber, opts.org);
  const ids = { idPA: org.fiscalCode, idBrokerPA: org.brokerId, idStation: org.stationId };
  const qrCode = { fiscalCode: org.fiscalCode, noticeNumber: opts.noticeNumber };
  const exchanges: Exchange[] = [];
  const pause = () => (opts.delayMs ? new Promise((r) => setTimeout(r, opts.delayMs)) : Promise.resolve());
  const done = (extra: Partial<PayResult> = {}): PayResult => {
    const ko = exchanges.find((e) => e.outcome !== 'OK');
    return { outcome: ko ? 'KO' : 'OK', ...(ko?.faultCode ? { faultCode: ko.faultCode } : {}), exchanges, ...extra };
  };

  const soap = async (operation: Operation, body: string): Promise<StationResponse | CodecFault> => {
    const response = await fetch(`${url}/pagopa/paForNode`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapActionFor(operation) },
      body,
    });
    const text = await response.text();
    const parsed = parseStationResponse(text, { expected: operation });
    const outcome = parsed.kind === 'response' ? parsed.outcome : 'ERROR';
    const faultCode = parsed.kind === 'response' ? parsed.fault?.faultCode : parsed.description;
    exchanges.push({ operation, httpStatus: response.status, outcome, ...(faultCode ? { faultCode } : {}), requestBody: body, responseBody: text });
    log(`\n── ${operation} → HTTP ${response.status} ${outcome}${faultCode ? ` ${faultCode}` : ''}`);
    log(indentXml('node    ▶', body));
    log(indentXml('station ◀', text));
    return parsed;
  };

  let receipt = opts.receipt;
  let payment: PaymentData | undefined;
  if (!receipt) {
    const verified = await soap('paVerifyPaymentNotice', buildNodeRequest('paVerifyPaymentNotice', { ...ids, qrCode }));
    if (verified.kind !== 'response' || verified.outcome !== 'OK' || verified.operation !== 'paVerifyPaymentNotice') return done();
    await pause();
    const amount = verified.data?.amount;
    const got = await soap(
      'paGetPaymentV2',
      buildNodeRequest('paGetPaymentV2', { ...ids, qrCode, ...(amount !== undefined ? { amount } : {}), transferType: 'PAGOPA' }),
    );
    if (got.kind !== 'response' || got.outcome !== 'OK' || got.operation !== 'paGetPaymentV2' || !got.data) return done();
    payment = got.data;
    receipt = receiptFor(org, opts, payment);
    await pause();
  }

  const deliveries = opts.twice ? 2 : 1;
  for (let i = 0; i < deliveries; i++) {
    if (i > 0) await pause();
    if (opts.jsonWebhook) await sendWebhook(url, org, receipt, exchanges, log);
    else await soap('paSendRTV2', buildNodeRequest('paSendRTV2', { ...ids, receipt }));
  }
  return done({ receipt, ...(payment ? { payment } : {}) });
}

/** The receipt the node writes after the PSP took the money. */
export function receiptFor(org: Pick<SeedOrg, 'fiscalCode' | 'name'>, opts: Pick<PayOptions, 'amount' | 'ko' | 'receiptId' | 'noticeNumber'>, payment: PaymentData): Receipt {
  const now = new Date();
  const rome = romeLocal(now);
  return {
    receiptId: opts.receiptId ?? randomBytes(16).toString('hex'),
    noticeNumber: opts.noticeNumber,
    fiscalCode: org.fiscalCode,
    outcome: opts.ko ? 'KO' : 'OK',
    creditorReferenceId: payment.creditorReferenceId,
    paymentAmount: opts.amount ?? payment.paymentAmount,
    description: payment.description,
    companyName: payment.companyName ?? org.name,
    ...(payment.officeName ? { officeName: payment.officeName } : {}),
    debtor: payment.debtor,
    transferList: payment.transferList.map((t) => ({
      idTransfer: t.idTransfer,
      transferAmount: t.transferAmount,
      fiscalCodePA: t.fiscalCodePA,
      ...(t.companyName ? { companyName: t.companyName } : {}),
      ...(t.IBAN ? { IBAN: t.IBAN } : { MBDAttachment: Buffer.from('<marcaDaBollo/>').toString('base64') }),
      remittanceInformation: t.remittanceInformation,
      transferCategory: t.transferCategory,
      ...(t.metadata ? { metadata: t.metadata } : {}),
    })),
    idPSP: 'BCITITMM',
    pspFiscalCode: '00799960158',
    PSPCompanyName: 'Intesa Sanpaolo S.p.A.',
    idChannel: '00799960158_01',
    channelDescription: 'app',
    paymentMethod: 'creditCard',
    fee: 150,
    primaryCiIncurredFee: 0,
    paymentDateTime: rome.dateTime,
    applicationDate: rome.date,
    transferDate: rome.date,
    standIn: false,
  };
}

async function sendWebhook(url: string, org: SeedOrg, receipt: Receipt, exchanges: Exchange[], log: (line: string) => void): Promise<void> {
  const secret = org.webhookSecrets?.[0];
  if (!secret) throw new Error(`organization ${org.fiscalCode} has no webhook secret in the seed`);
  const body = JSON.stringify(toJsonReceipt(receipt));
  const response = await fetch(`${url}/receipts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [RECEIPT_SIGNATURE_HEADER]: signReceiptRequest(secret, body, Math.floor(Date.now() / 1000)) },
    body,
  });
  const text = await response.text();
  const ok = response.status === 200 || response.status === 202;
  exchanges.push({ operation: 'receipt-webhook', httpStatus: response.status, outcome: ok ? 'OK' : 'KO', ...(ok ? {} : { faultCode: `HTTP ${response.status}` }), requestBody: body, responseBody: text });
  log(`\n── POST /receipts → HTTP ${response.status}\n${truncate(text, 600)}`);
}

/** The normalised receipt → pagoPA's JSON receipt model (amounts in euro, e.g. 123.45). */
export function toJsonReceipt(receipt: Receipt): Record<string, unknown> {
  const euro = (cents: number) => cents / 100;
  return {
    ...receipt,
    paymentAmount: euro(receipt.paymentAmount),
    ...(receipt.fee !== undefined ? { fee: euro(receipt.fee) } : {}),
    ...(receipt.primaryCiIncurredFee !== undefined ? { primaryCiIncurredFee: euro(receipt.primaryCiIncurredFee) } : {}),
    transferList: receipt.transferList.map((t) => ({ ...t, transferAmount: euro(t.transferAmount) })),
  };
}

function romeLocal(now: Date): { date: string; dateTime: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Rome',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return { date, dateTime: `${date}T${parts.hour}:${parts.minute}:${parts.second}` };
}

/** One element per line, indented, cut after a few lines: enough to read an exchange. */
export function indentXml(prefix: string, xml: string, maxLines = 40): string {
  const tokens = xml.replace(/>\s*</g, '>\n<').split('\n');
  let depth = 0;
  const lines: string[] = [];
  for (const token of tokens) {
    if (/^<\//.test(token)) depth = Math.max(0, depth - 1);
    lines.push(`${prefix} ${'  '.repeat(depth)}${truncate(token, 160)}`);
    if (/^<[^!?/][^>]*[^/]>$/.test(token) && !/<\//.test(token.slice(1))) depth++;
  }
  if (lines.length <= maxLines) return lines.join('\n');
  return [...lines.slice(0, maxLines), `${prefix} … ${lines.length - maxLines} more lines`].join('\n');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function parseArgs(argv: string[]): PayOptions {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (['ko', 'twice', 'json-webhook'].includes(name)) flags[name] = true;
    else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  const noticeNumber = (positional[0] ?? '').replace(/\s+/g, '');
  if (!/^\d{18}$/.test(noticeNumber)) throw new Error('usage: npm run pay -- <18-digit notice number> [--org <fc>] [--url <url>] [--amount <cents>] [--ko] [--twice] [--delay <ms>] [--json-webhook]');
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  const num = (k: string) => {
    const v = str(k);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`--${k} must be a whole number`);
    return Number(v);
  };
  return {
    noticeNumber,
    ...(str('org') ? { org: str('org') } : {}),
    url: str('url') ?? process.env['PAY_URL'] ?? 'http://127.0.0.1:3000',
    ...(num('amount') !== undefined ? { amount: num('amount') } : {}),
    ko: flags['ko'] === true,
    twice: flags['twice'] === true,
    ...(num('delay') !== undefined ? { delayMs: num('delay') } : {}),
    jsonWebhook: flags['json-webhook'] === true,
    ...(str('seed') ? { seedFile: str('seed') } : {}),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const result = await payNotice(parseArgs(process.argv.slice(2)));
    console.log(`\n${result.outcome}${result.faultCode ? ` (${result.faultCode})` : ''}${result.receipt ? `, receipt ${result.receipt.receiptId}` : ''}`);
    process.exitCode = result.outcome === 'OK' ? 0 : 1;
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
  }
}

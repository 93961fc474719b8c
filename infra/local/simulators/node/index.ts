/**
 * The pagoPA node, simulated: pays a notice on the local stack the way the node does:
 * paVerifyPaymentNotice → paGetPaymentV2 → paSendRTV2 (or the signed JSON receipt webhook),
 * logging each SOAP exchange. The broker and station ids come from the seed file.
 *
 * `payNotice(opts)` is used by `npm run pay` (scripts/pay.ts, the CLI), the local Checkout
 * simulator (../checkout), e2e tests, benchmarks and chaos runs; `verifyNotice(opts)` is the
 * node's check alone (paVerifyPaymentNotice), as Checkout's backend checks a cart's notices.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  buildNodeRequest,
  parseStationResponse,
  soapActionFor,
  type CodecFault,
  type Operation,
  type PaymentData,
  type Receipt,
  type StationResponse,
} from '../../../../shared/http/pagopa-soap';
import { RECEIPT_SIGNATURE_HEADER, signReceiptRequest } from '../../../../shared/http/receipt-signature';

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
  /** paGetPaymentV2's `paymentNote` (pagoPA Checkout puts the cart's idCart there) */
  readonly paymentNote?: string;
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

type Soap = (operation: Operation, body: string) => Promise<StationResponse | CodecFault>;

/** The node's SOAP client of the station at `<url>/pagopa/paForNode`, recording and logging each exchange. */
function stationClient(url: string, exchanges: Exchange[], log: (line: string) => void): Soap {
  return async (operation, body) => {
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
}

function outcomeOf(exchanges: readonly Exchange[], extra: Partial<PayResult> = {}): PayResult {
  const ko = exchanges.find((e) => e.outcome !== 'OK');
  return { outcome: ko ? 'KO' : 'OK', ...(ko?.faultCode ? { faultCode: ko.faultCode } : {}), exchanges, ...extra };
}

export type VerifyOptions = Pick<PayOptions, 'noticeNumber' | 'org' | 'url' | 'seedFile' | 'log'>;

export interface VerifyResult {
  /** OK when the station answered paVerifyPaymentNotice OK: the notice can be paid */
  readonly outcome: 'OK' | 'KO';
  /** the station's fault (e.g. PAA_PAGAMENTO_DUPLICATO, PAA_PAGAMENTO_SCONOSCIUTO) */
  readonly faultCode?: string;
  /** cents the station asks for */
  readonly amount?: number;
  readonly exchanges: readonly Exchange[];
}

/** paVerifyPaymentNotice alone: is the notice payable, and for how much. */
export async function verifyNotice(opts: VerifyOptions): Promise<VerifyResult> {
  const url = (opts.url ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const org = seedOrganization(opts.seedFile ?? 'infra/local/seed.json', opts.noticeNumber, opts.org);
  const exchanges: Exchange[] = [];
  const soap = stationClient(url, exchanges, opts.log ?? ((line: string) => console.log(line)));
  const ids = { idPA: org.fiscalCode, idBrokerPA: org.brokerId, idStation: org.stationId };
  const verified = await soap('paVerifyPaymentNotice', buildNodeRequest('paVerifyPaymentNotice', { ...ids, qrCode: { fiscalCode: org.fiscalCode, noticeNumber: opts.noticeNumber } }));
  const { outcome, faultCode } = outcomeOf(exchanges);
  const amount = verified.kind === 'response' && verified.operation === 'paVerifyPaymentNotice' ? verified.data?.amount : undefined;
  return { outcome, ...(faultCode ? { faultCode } : {}), ...(outcome === 'OK' && amount !== undefined ? { amount } : {}), exchanges };
}

export async function payNotice(opts: PayOptions): Promise<PayResult> {
  const url = (opts.url ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const log = opts.log ?? ((line: string) => console.log(line));
  const org = seedOrganization(opts.seedFile ?? 'infra/local/seed.json', opts.noticeNumber, opts.org);
  const ids = { idPA: org.fiscalCode, idBrokerPA: org.brokerId, idStation: org.stationId };
  const qrCode = { fiscalCode: org.fiscalCode, noticeNumber: opts.noticeNumber };
  const exchanges: Exchange[] = [];
  const pause = () => (opts.delayMs ? new Promise((r) => setTimeout(r, opts.delayMs)) : Promise.resolve());
  const done = (extra: Partial<PayResult> = {}): PayResult => outcomeOf(exchanges, extra);
  const soap = stationClient(url, exchanges, log);

  let receipt = opts.receipt;
  let payment: PaymentData | undefined;
  if (!receipt) {
    const verified = await soap('paVerifyPaymentNotice', buildNodeRequest('paVerifyPaymentNotice', { ...ids, qrCode }));
    if (verified.kind !== 'response' || verified.outcome !== 'OK' || verified.operation !== 'paVerifyPaymentNotice') return done();
    await pause();
    const amount = verified.data?.amount;
    const got = await soap(
      'paGetPaymentV2',
      buildNodeRequest('paGetPaymentV2', {
        ...ids,
        qrCode,
        ...(amount !== undefined ? { amount } : {}),
        ...(opts.paymentNote !== undefined ? { paymentNote: opts.paymentNote } : {}),
        transferType: 'PAGOPA',
      }),
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

/**
 * Log hygiene: everything the layer printed during a realistic run — the
 * handlers' Powertools JSON on stdout/stderr (they run in this process), console output, and the
 * gateway's access log (startLocalLayer's `log`) — is scanned for the personal data and secrets
 * the run used: debtors' fiscal codes, names and e-mails, IBANs, API keys, webhook secrets (seeded
 * and issued), the IO key. None may appear in clear.
 *
 * The run: positions with two debtors created, published, listed, read, updated; dossiers and
 * payment options read; notices rendered and a batch; App IO messages (simulator); payments over
 * SOAP and over the signed JSON webhook; an outgoing webhook delivered to a back office; and the
 * refusals a careless client causes (wrong or other tenant's key, bad codice fiscale, forged
 * signatures, wrong station ids).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalLayer } from '../../infra/local/layer';
import { startLocalLayer, temporaryOutbox } from '../../infra/local/layer';
import { startBackOfficeReceiver, type BackOfficeReceiver } from '../../infra/local/simulators/back-office';
import { buildNodeRequest, soapActionFor } from '../../shared/http/pagopa-soap';
import { codiceFiscaleCheckCharacter } from '../../shared/domain/fiscal-code';
import { signReceiptRequest } from '../../shared/http/receipt-signature';
import { payNotice } from '../../scripts/pay';
import { positionRequest } from '../fixtures/positions';
import { signInAsCitizen } from '../support/citizen-sign-in';
import { ALTROVE, ESEMPIO } from '../support/hostile/fixtures';

const SECOND_CF = (() => {
  const first15 = 'BNCGLI90A41H501';
  return `${first15}${codiceFiscaleCheckCharacter(first15)}`;
})();
/** a demo citizen of the seed, who signs in on the citizen's counter (SPID, test IdP) */
const CITIZEN = { fiscalCode: 'BNCLCU85M52F205Z', name: 'Lucia', familyName: 'Bianchi', email: 'lucia.bianchi@example.com' };
const PERSONAL = {
  fiscalCodes: ['RCCMNL83S18D969H', SECOND_CF, CITIZEN.fiscalCode],
  names: ['Mario Rossi', 'Giulia Bianchi', 'Bianchi', 'Rossi', 'Lucia'],
  emails: ['mario.rossi@example.org', 'giulia.bianchi@example.org', 'tributi@comune.esempio.it', CITIZEN.email],
  ibans: ['IT78L0306909606100000117002', 'IT47K0503401633000000012345', 'IT78 L030 6909 6061 0000 0117 002'],
};
const SECRETS = [ESEMPIO.key, ALTROVE.key, ESEMPIO.secret, ALTROVE.secret, 'demo-esempio-io-key-0123456789abcdef'];

const captured: string[] = [];
const gatewayLines: string[] = [];
const restore: Array<() => void> = [];
let layer: LocalLayer;
let base: string;
let receiver: BackOfficeReceiver;
/** secrets issued during the run (webhook signing secrets) */
const issued: string[] = [];

function capture(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
    restore.push(() => (stream.write = original));
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      captured.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    };
    restore.push(() => (console[method] = original));
  }
}

async function api(method: string, path: string, body?: unknown, key: string | null = ESEMPIO.key): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(key ? { 'Ocp-Apim-Subscription-Key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

beforeAll(async () => {
  capture();
  process.env['WEBHOOK_BACKOFF_BASE_SECONDS'] = '1';
  process.env['WEBHOOK_BACKOFF_MAX_SECONDS'] = '1';
  layer = await startLocalLayer({ port: 0, log: (line) => gatewayLines.push(line), outboxDir: temporaryOutbox(), env: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } });
  base = layer.cloud.url;
  receiver = await startBackOfficeReceiver({ port: 0 });
  const orgPath = `/organizations/${ESEMPIO.fc}`;
  const must = (label: string, r: { status: number; json: any }, status: number) => {
    if (r.status !== status) throw new Error(`${label}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
    return r.json;
  };

  // a back office subscribed to payments and publications
  const sub = must('webhook', await api('POST', `${orgPath}/webhooks`, { url: receiver.url, eventTypes: ['payment.received', 'debt-position.published'] }), 201);
  receiver.setSecret(sub.secret);
  issued.push(sub.secret);

  // positions for two debtors
  const mario = positionRequest();
  const giulia = positionRequest({ fiscalCode: SECOND_CF, fullName: 'Giulia Bianchi', email: 'giulia.bianchi@example.org' });
  const p1 = must('create mario', await api('POST', `${orgPath}/debtpositions?toPublish=true`, mario), 201);
  const p2 = must('create giulia', await api('POST', `${orgPath}/debtpositions`, giulia), 201);
  must('publish giulia', await api('POST', `${orgPath}/debtpositions/${p2.iupd}/publish`), 200);
  must('list', await api('GET', `${orgPath}/debtpositions?page=0&limit=10`), 200);
  must('read', await api('GET', `${orgPath}/debtpositions/${p1.iupd}`), 200);
  must('option', await api('GET', `${orgPath}/paymentoptions/${p1.paymentOption[0].nav}`), 200);
  for (const cf of PERSONAL.fiscalCodes) must(`dossier ${cf}`, await api('GET', `${orgPath}/debtors/${cf}/dossier`), 200);
  await layer.cloud.drain({ timeoutMs: 60_000 });
  must('notice', await api('GET', `${orgPath}/debtpositions/${p1.iupd}/notice`), 200);
  must('batch', await api('POST', `${orgPath}/notices/batches`, { iupds: [p1.iupd, p2.iupd] }), 202);
  must('template', await api('PUT', `${orgPath}/io/templates/receipt`, { subject: 'Pagamento ricevuto, grazie', markdown: `Abbiamo ricevuto {{amount}} euro. ${'Grazie. '.repeat(12)}` }), 200);

  // payments: SOAP for Mario, signed JSON webhook for Giulia
  const quiet = () => {};
  expect((await payNotice({ noticeNumber: p1.paymentOption[0].nav, url: base, log: quiet })).outcome).toBe('OK');
  expect((await payNotice({ noticeNumber: p2.paymentOption[0].nav, url: base, log: quiet, jsonWebhook: true })).outcome).toBe('OK');

  // what careless or hostile clients cause
  await api('GET', `${orgPath}/debtpositions/${p1.iupd}`, undefined, ALTROVE.key);
  await api('GET', `${orgPath}/debtpositions/${p1.iupd}`, undefined, `${ESEMPIO.key}-typo`);
  await api('GET', `${orgPath}/debtpositions/${p1.iupd}`, undefined, null);
  await api('POST', `${orgPath}/debtpositions`, positionRequest({ fiscalCode: 'RCCMNL83S18D969A', email: 'mario.rossi@example', fullName: '' }));
  await api('POST', `${orgPath}/debtpositions`, positionRequest({ paymentOption: [{ ...(positionRequest()['paymentOption'] as any[])[0], transfer: [{ idTransfer: '1', amount: 12050, remittanceInformation: 'x', category: '9/0101108TS/', iban: 'IT78L0306909606100000117003' }] }] }));
  await api('GET', `${orgPath}/debtors/RCCMNL83S18D969A/dossier`);
  const receiptBody = JSON.stringify({ fiscalCode: ESEMPIO.fc, debtor: { fullName: 'Mario Rossi', entityUniqueIdentifierValue: 'RCCMNL83S18D969H', email: 'mario.rossi@example.org' } });
  await fetch(`${base}/receipts`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-receipt-signature': signReceiptRequest(ALTROVE.secret, receiptBody, Math.floor(Date.now() / 1000)) }, body: receiptBody });
  await fetch(`${base}/receipts`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-receipt-signature': signReceiptRequest(ESEMPIO.secret, receiptBody, Math.floor(Date.now() / 1000)) }, body: receiptBody });
  const wrongStation = buildNodeRequest('paGetPaymentV2', { idPA: ESEMPIO.fc, idBrokerPA: ALTROVE.brokerId, idStation: ALTROVE.stationId, qrCode: { fiscalCode: ESEMPIO.fc, noticeNumber: p1.paymentOption[0].nav } });
  await fetch(`${base}/pagopa/paForNode`, { method: 'POST', headers: { 'content-type': 'text/xml', soapaction: soapActionFor('paGetPaymentV2') }, body: wrongStation });
  // the citizen's counter: sign-in (SPID), her positions, a Checkout cart; a replayed answer refused
  const lucia = must('create lucia', await api('POST', `${orgPath}/debtpositions?toPublish=true`, positionRequest({ fiscalCode: CITIZEN.fiscalCode, fullName: `${CITIZEN.name} ${CITIZEN.familyName}`, email: CITIZEN.email })), 201);
  const { cookie, acsBody } = await signInAsCitizen(base, CITIZEN.fiscalCode);
  issued.push(cookie.split('=')[1]!);
  const counter = await fetch(`${base}/cittadino/`, { headers: { cookie } });
  const counterPage = await counter.text();
  if (!counterPage.includes(lucia.iupd)) throw new Error(`the counter does not list the citizen's position: ${counter.status}`);
  must('counter position', { status: (await fetch(`${base}/cittadino/posizioni/${ESEMPIO.fc}/${lucia.iupd}`, { headers: { cookie } })).status, json: undefined }, 200);
  const token = /name="_token" value="([^"]+)"/.exec(counterPage)![1]!;
  const cart = await fetch(`${base}/cittadino/pagamenti`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _token: token, ente: ESEMPIO.fc, avviso: lucia.paymentOption[0].nav }).toString() });
  must('cart', { status: cart.status, json: undefined }, 303);
  must('replayed sign-in', { status: (await fetch(`${base}/cittadino/spid/acs`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: acsBody })).status, json: undefined }, 401);
  await layer.cloud.drain({ timeoutMs: 90_000 });
  await receiver.waitFor((r) => r.events().some((x) => x.event['eventType'] === 'payment.received'), 30_000);
}, 240_000);

afterAll(async () => {
  await receiver?.close();
  await layer?.stop();
  for (const undo of restore.splice(0).reverse()) undo();
});

if (process.env['LOG_HYGIENE_DUMP']) {
  afterAll(async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(process.env['LOG_HYGIENE_DUMP']!, everyLine().join('\n'));
  });
}

const everyLine = () => [...captured.join('').split('\n'), ...gatewayLines].filter((l) => l.trim() !== '');

describe('log hygiene over a realistic run', () => {
  it('captured the logs of the handlers and the gateway (the scan below is not over nothing)', () => {
    const lines = everyLine();
    const messages = new Set(
      lines.flatMap((l) => {
        try {
          const parsed = JSON.parse(l) as { message?: string; function_name?: string; route?: string };
          // the route too: handlers share one logger in this process, so under load a line can carry
          // the Lambda context (function_name) of another invocation running at the same moment
          return [`${parsed.function_name ?? '(consumer)'}: ${parsed.message}`, ...(parsed.route ? [`${parsed.route}: ${parsed.message}`] : [])];
        } catch {
          return [];
        }
      }),
    );
    // API handlers, the station, the webhook intake, and the queue consumers all wrote here
    for (const expected of [
      'create-debt-position: request refused',
      'get-debt-position: request refused',
      'get-debtor-dossier: request refused',
      'POST /receipts: request refused',
      'pagopa-node-station: node request answered',
      // the counter's own lines (any function name: the Checkout simulator calls the station meanwhile)
      '(any): citizen signed in',
      '(any): checkout cart created',
      '(any): citizen sign-in refused',
      '(consumer): receipt processed',
      '(consumer): webhook delivery done',
      '(consumer): io request handled',
      '(consumer): notice refreshed',
    ]) {
      // queue consumers log under their own function name since they are instrumented too; all
      // handlers share this one process, so only the message is compared for them
      const anyName = /^\((consumer|any)\): /.exec(expected);
      const found = anyName
        ? [...messages].some((m) => m.endsWith(`: ${expected.slice(anyName[0].length)}`))
        : messages.has(expected);
      expect(found, expected).toBe(true);
    }
    // the gateway's access log, with the debtor's fiscal code masked in the dossier path
    expect(gatewayLines.some((l) => /\/debtors\/\*{16}\/dossier 200/.test(l))).toBe(true);
    expect(lines.length).toBeGreaterThan(50);
  });

  it('no line carries a fiscal code, name, e-mail or IBAN of the run in clear', () => {
    const needles = [...PERSONAL.fiscalCodes, ...PERSONAL.names, ...PERSONAL.emails, ...PERSONAL.ibans];
    const hits = everyLine().flatMap((line) => needles.filter((n) => line.toLowerCase().includes(n.toLowerCase())).map((n) => `${n}: ${line.slice(0, 300)}`));
    expect(hits.slice(0, 20)).toEqual([]);
  });

  it('no line carries an API key, a webhook secret (seeded or issued) or the IO key', () => {
    expect(issued).toHaveLength(2); // the webhook secret and the citizen's session token
    const hits = everyLine().flatMap((line) => [...SECRETS, ...issued].filter((s) => line.includes(s)).map((s) => `${s.slice(0, 8)}…: ${line.slice(0, 300)}`));
    expect(hits.slice(0, 20)).toEqual([]);
  });
});

/**
 * pagoPA Checkout on the local stack: the Checkout EC API client (shared/adapters/checkout-client.ts)
 * against the Checkout simulator mounted at /_sim/checkout (CHECKOUT_API_URL), with the tenant's
 * key read the way the layer reads it (shared/composition/subscription-keys.ts, the item the seed
 * wrote). A cart of two published positions is created, its page followed, paid ("Paga") through
 * the node and the station as pagoPA does; the positions turn PAID on the GPD GET. Refusals: a
 * wrong key (401), 6 notices and duplicates (422, by the client's own check and by the simulator),
 * the body against the spec (400), a notice not payable (422). A second simulator instance, behind
 * a recording proxy of the station and on a clock the test moves, shows paGetPaymentV2's
 * paymentNote and the 10-minute expiry.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutHttpClient } from '../../shared/adapters/checkout-client';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { subscriptionKeySource, type SubscriptionKeySource } from '../../shared/composition/subscription-keys';
import { CheckoutError, type CheckoutCartRequest, type CheckoutNotice } from '../../shared/use-cases/citizens/ports';
import { CART_TTL_MS, CHECKOUT_MOUNT, createLocalCheckout } from '../../infra/local/simulators/checkout';
import { ESEMPIO_FC, createPosition, type CreatedOption } from '../fixtures/station';
import { startLocalStack, type LocalStack } from '../support/local-stack';

const CHECKOUT_KEY = 'demo-esempio-checkout-key-0123456789abcdef';
const ORG = `/organizations/${ESEMPIO_FC}`;

let stack: LocalStack;
let keys: SubscriptionKeySource;
let checkout: CheckoutHttpClient;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  stack = await startLocalStack();
  dynamo = new DynamoDBClient({ region: stack.cloud.region, endpoint: stack.cloud.endpoints.dynamodb, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  keys = subscriptionKeySource('checkout', { db: createDocumentClient(dynamo), tableName: stack.cloud.env['TABLE_NAME_MAIN']! }, { cacheSeconds: 0 });
  checkout = new CheckoutHttpClient(process.env['CHECKOUT_API_URL'], keys, { timeoutMs: 10_000 });
}, 120_000);

afterAll(async () => {
  dynamo?.destroy();
  await stack?.layer.stop();
});

const noticeOf = (o: CreatedOption, description = 'TARI 2026 - rata unica'): CheckoutNotice => ({
  noticeNumber: o.nav,
  fiscalCode: ESEMPIO_FC,
  amount: o.amount,
  companyName: 'Comune di Esempio',
  description,
});

function cartOf(notices: CheckoutNotice[], idCart = `carrello-${Math.random().toString(36).slice(2, 10)}`): CheckoutCartRequest {
  const outcome = (esito: string) => `${stack.url}/cittadino/pagamenti/esito?esito=${esito}&carrello=${idCart}`;
  return {
    idCart,
    paymentNotices: notices,
    returnUrls: { returnOkUrl: outcome('ok'), returnCancelUrl: outcome('annullato'), returnErrorUrl: outcome('errore') },
    emailNotice: 'mario.rossi@example.com',
  };
}

async function published(count: number): Promise<Array<{ iupd: string; option: CreatedOption }>> {
  const out = [];
  for (let i = 0; i < count; i++) {
    const p = await createPosition(stack.url);
    out.push({ iupd: p.iupd, option: p.options[0]! });
  }
  return out;
}

/** POST /carts as a raw client: status and ProblemJson */
async function rawCarts(body: unknown, key: string | null = CHECKOUT_KEY): Promise<{ status: number; json: any; location: string | null }> {
  const response = await fetch(`${process.env['CHECKOUT_API_URL']}/carts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key !== null ? { 'Ocp-Apim-Subscription-Key': key } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, location: response.headers.get('location') };
}

async function refusal(promise: Promise<unknown>): Promise<CheckoutError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckoutError);
  return error as CheckoutError;
}

/** POST a page's form, without following the redirect */
async function post(url: string, form: Record<string, string> = {}): Promise<{ status: number; location: string | null }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
  await response.text();
  return { status: response.status, location: response.headers.get('location') };
}

function formAction(html: string, ending: 'pay' | 'cancel', origin: string): string {
  const action = [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]!).find((a) => a.endsWith(`/${ending}`));
  if (!action) throw new Error(`no ${ending} form on the page`);
  return new URL(action.replace(/&amp;/g, '&'), origin).href;
}

async function positionStatus(iupd: string): Promise<string> {
  return (await stack.api('GET', `${ORG}/debtpositions/${iupd}`)).json.status;
}

/** receipts go through a queue: drain it, then look (a few times) */
async function eventuallyPaid(iupds: string[]): Promise<string[]> {
  let statuses: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    await stack.cloud.drain({ timeoutMs: 15_000 });
    statuses = await Promise.all(iupds.map(positionStatus));
    if (statuses.every((s) => s === 'PAID')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return statuses;
}

describe('a cart paid on the Checkout simulator', () => {
  it('creates the cart (302 to the page), shows it, pays both notices and returns to returnOkUrl; both positions are PAID', async () => {
    const positions = await published(2);
    const cart = cartOf(positions.map((p, i) => noticeOf(p.option, i === 0 ? 'TARI 2026 - rata unica' : 'Canone idrico 2026')));

    const { checkoutUrl } = await checkout.create(ESEMPIO_FC, cart);
    expect(checkoutUrl).toMatch(new RegExp(`^${stack.url}${CHECKOUT_MOUNT}/carts/[0-9a-f-]{36}/redirect\\?clientId=CHECKOUT$`));

    const page = await fetch(checkoutUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<html lang="it">');
    expect(html).toContain('pagoPA Checkout (simulatore locale)');
    expect(html).toContain('/console/assets/bootstrap-italia.min.css');
    expect(html).toContain('Canone idrico 2026');
    expect(html).toContain('Comune di Esempio');
    expect(html).toContain('120,50\u00a0€');
    expect(html).toContain('241,00\u00a0€');
    expect(html).toMatch(/<input[^>]+id="email"[^>]+value="mario\.rossi@example\.com"/);
    expect(html).toMatch(/<label for="email"/);
    expect(html).toMatch(/<button type="submit"[^>]*>Paga<\/button>/);
    expect(html).toMatch(/<button type="submit"[^>]*>Annulla<\/button>/);
    expect(await Promise.all(positions.map((p) => positionStatus(p.iupd)))).toEqual(['VALID', 'VALID']);

    const payUrl = formAction(html, 'pay', stack.url);
    const paid = await post(payUrl, { email: 'mario.rossi@example.com' });
    expect(paid).toEqual({ status: 303, location: cart.returnUrls.returnOkUrl });
    expect(await eventuallyPaid(positions.map((p) => p.iupd))).toEqual(['PAID', 'PAID']);

    // paid once: a second POST goes back to returnOkUrl without paying again (a second payment
    // would meet PAA_PAGAMENTO_DUPLICATO at the station and go to returnErrorUrl)
    expect(await post(payUrl)).toEqual({ status: 303, location: cart.returnUrls.returnOkUrl });
    const again = await fetch(checkoutUrl);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Carrello già pagato');

    // a paid notice is no longer payable: a new cart with it is refused as pagoPA refuses it
    const error = await refusal(checkout.create(ESEMPIO_FC, cartOf([noticeOf(positions[0]!.option)])));
    expect(error).toMatchObject({ kind: 'refused', status: 422, detail: 'Invalid payment notice data' });
  });

  it('"Annulla" returns to returnCancelUrl and pays nothing', async () => {
    const [p] = await published(1);
    const cart = cartOf([noticeOf(p!.option)]);
    const { checkoutUrl } = await checkout.create(ESEMPIO_FC, cart);
    const html = await (await fetch(checkoutUrl)).text();
    expect(await post(formAction(html, 'cancel', stack.url))).toEqual({ status: 303, location: cart.returnUrls.returnCancelUrl });
    expect(await post(formAction(html, 'pay', stack.url))).toEqual({ status: 303, location: cart.returnUrls.returnCancelUrl });
    await stack.cloud.drain({ timeoutMs: 15_000 });
    expect(await positionStatus(p!.iupd)).toBe('VALID');
  });

  it('a notice that stops being payable before "Paga" sends the citizen to returnErrorUrl', async () => {
    const [p] = await published(1);
    const cart = cartOf([noticeOf(p!.option)]);
    const { checkoutUrl } = await checkout.create(ESEMPIO_FC, cart);
    expect((await stack.api('POST', `${ORG}/debtpositions/${p!.iupd}/invalidate`)).status).toBe(200);
    const html = await (await fetch(checkoutUrl)).text();
    expect(await post(formAction(html, 'pay', stack.url))).toEqual({ status: 303, location: cart.returnUrls.returnErrorUrl });
  });

  it('an unknown cart is a 404 page in Italian', async () => {
    const r = await fetch(`${stack.url}${CHECKOUT_MOUNT}/carts/00000000-0000-4000-8000-000000000000/redirect?clientId=CHECKOUT`);
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('Carrello non trovato');
  });
});

describe('carts pagoPA refuses', () => {
  it('a wrong subscription key: 401, refused', async () => {
    const [p] = await published(1);
    const wrong = new CheckoutHttpClient(process.env['CHECKOUT_API_URL'], async () => 'not-the-tenant-checkout-key-0000');
    const error = await refusal(wrong.create(ESEMPIO_FC, cartOf([noticeOf(p!.option)])));
    expect(error).toMatchObject({ kind: 'refused', status: 401 });
    expect((await rawCarts(cartOf([noticeOf(p!.option)]), null)).status).toBe(401);
  });

  it('6 notices: refused by the client before sending, and 422 from the simulator', async () => {
    const positions = await published(6);
    const cart = cartOf(positions.map((p) => noticeOf(p.option)));
    const error = await refusal(checkout.create(ESEMPIO_FC, cart));
    expect(error.kind).toBe('refused');
    expect(error.status).toBeUndefined();
    const raw = await rawCarts(cart);
    expect(raw.status).toBe(422);
    expect(raw.json).toMatchObject({ status: 422, detail: expect.stringContaining('max 5') });
  });

  it('the same notice twice: 422 "Duplicate payment notice values found."', async () => {
    const [p] = await published(1);
    const raw = await rawCarts(cartOf([noticeOf(p!.option), noticeOf(p!.option)]));
    expect([raw.status, raw.json.detail]).toEqual([422, 'Duplicate payment notice values found.']);
  });

  it('a body that breaks the spec: 400 naming the fields', async () => {
    const raw = await rawCarts({
      paymentNotices: [{ noticeNumber: '3021', fiscalCode: ESEMPIO_FC, amount: 0, companyName: 'Comune di Esempio', description: 'TARI' }],
      returnUrls: { returnOkUrl: 'https://comune.example/ok', returnCancelUrl: 'https://comune.example/annullato' },
    });
    expect(raw.status).toBe(400);
    expect(raw.json.detail).toContain('paymentNotices[0].noticeNumber');
    expect(raw.json.detail).toContain('paymentNotices[0].amount');
    expect(raw.json.detail).toContain('returnUrls.returnErrorUrl');
    expect((await rawCarts('{not json')).status).toBe(400);
    expect((await rawCarts({ paymentNotices: [], returnUrls: cartOf([]).returnUrls })).json.detail).toContain('paymentNotices');
  });

  it('an unknown notice: 422 "Invalid payment notice data"', async () => {
    const unknown: CheckoutNotice = { noticeNumber: '312999999999999900', fiscalCode: ESEMPIO_FC, amount: 1000, companyName: 'Comune di Esempio', description: 'Nessuno' };
    const error = await refusal(checkout.create(ESEMPIO_FC, cartOf([unknown])));
    expect(error).toMatchObject({ kind: 'refused', status: 422, detail: 'Invalid payment notice data' });
    // a creditor the node does not know
    const elsewhere = await rawCarts(cartOf([{ ...unknown, fiscalCode: '00000000000' }]));
    expect(elsewhere.status).toBe(422);
  });

  it('no Checkout key for the tenant: not-configured', async () => {
    const [p] = await published(1);
    const error = await refusal(checkout.create('99999999999', cartOf([noticeOf(p!.option)])));
    expect(error.kind).toBe('not-configured');
  });
});

describe('the node side, seen from a recording proxy of the station', () => {
  let proxy: Server;
  let proxyUrl: string;
  let clock = Date.now();
  const stationBodies: string[] = [];
  let sim: ReturnType<typeof createLocalCheckout>;

  beforeAll(async () => {
    sim = createLocalCheckout({ seedFile: stack.layer.seedFile, now: () => clock });
    proxy = createServer((req, res) => {
      if (req.url?.startsWith(`${CHECKOUT_MOUNT}/`)) {
        req.url = req.url.slice(CHECKOUT_MOUNT.length);
        sim.sim.listener(req, res);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        stationBodies.push(body);
        const answer = await fetch(`${stack.url}${req.url}`, { method: req.method ?? 'POST', headers: { 'content-type': String(req.headers['content-type']), soapaction: String(req.headers['soapaction']) }, body });
        const text = await answer.text();
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    sim.bind(proxyUrl);
  });

  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
  });

  it("paGetPaymentV2 carries the cart's idCart as paymentNote", async () => {
    const [p] = await published(1);
    const client = new CheckoutHttpClient(sim.apiUrl(proxyUrl), keys);
    const cart = cartOf([noticeOf(p!.option)], 'carrello-nota-42');
    const { checkoutUrl } = await client.create(ESEMPIO_FC, cart);
    expect(checkoutUrl.startsWith(`${proxyUrl}${CHECKOUT_MOUNT}/carts/`)).toBe(true);
    const html = await (await fetch(checkoutUrl)).text();
    stationBodies.length = 0;
    expect(await post(formAction(html, 'pay', proxyUrl))).toEqual({ status: 303, location: cart.returnUrls.returnOkUrl });
    const operations = stationBodies.map((b) => /<pafn:(pa\w+)Req/.exec(b)?.[1]);
    expect(operations).toEqual(['paVerifyPaymentNotice', 'paGetPaymentV2', 'paSendRTV2']);
    expect(stationBodies[1]).toMatch(/<paymentNote>carrello-nota-42<\/paymentNote>/);
    expect(await eventuallyPaid([p!.iupd])).toEqual(['PAID']);
  });

  it('a cart expires after 10 minutes: 410 page, and "Paga" pays nothing', async () => {
    const [p] = await published(1);
    const client = new CheckoutHttpClient(sim.apiUrl(proxyUrl), keys);
    const { checkoutUrl } = await client.create(ESEMPIO_FC, cartOf([noticeOf(p!.option)]));
    const html = await (await fetch(checkoutUrl)).text();
    clock += CART_TTL_MS;
    const expired = await fetch(checkoutUrl);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('Carrello scaduto');
    stationBodies.length = 0;
    const r = await fetch(formAction(html, 'pay', proxyUrl), { method: 'POST', redirect: 'manual' });
    expect(r.status).toBe(410);
    expect(stationBodies).toEqual([]);
  });
});

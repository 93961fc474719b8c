/**
 * The Checkout EC API client (shared/adapters/checkout-client.ts) against a real HTTP server on
 * 127.0.0.1 that answers as pagoPA's POST /carts would (302 + location, ProblemJson 4xx/5xx,
 * APIM's 401/429, slowness): what is sent, what comes back, which CheckoutError kind.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckoutHttpClient } from '../../shared/adapters/checkout-client';
import { CheckoutError, type CheckoutCartRequest } from '../../shared/use-cases/citizens/ports';

const OFC = '80001234568';
const KEY = 'test-checkout-key-0123456789abcdef';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let server: Server;
let origin: string;
const seen: Seen[] = [];
/** what the server answers next */
let answer: (req: IncomingMessage, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  answer = (_req, res) => {
    res.writeHead(302, { location: 'https://checkout.example/carts/0b7c3f1e-6a41-4f0b-9d1e-1f2a3b4c5d6e/redirect?clientId=CHECKOUT' });
    res.end();
  };
});

function problem(status: number, body: unknown): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

const notice = (n: number, extra: Partial<CheckoutCartRequest['paymentNotices'][number]> = {}) => ({
  noticeNumber: `30200000000000${String(n).padStart(4, '0')}`,
  fiscalCode: OFC,
  amount: 1000 + n,
  companyName: 'Comune di Esempio',
  description: `TARI rata ${n}`,
  ...extra,
});

function cart(overrides: Partial<CheckoutCartRequest> = {}): CheckoutCartRequest {
  return {
    idCart: 'cart-42',
    paymentNotices: [notice(1), notice(2)],
    returnUrls: {
      returnOkUrl: 'https://comune.example/cittadino/pagamenti/esito?esito=ok&carrello=cart-42',
      returnCancelUrl: 'https://comune.example/cittadino/pagamenti/esito?esito=annullato&carrello=cart-42',
      returnErrorUrl: 'https://comune.example/cittadino/pagamenti/esito?esito=errore&carrello=cart-42',
    },
    emailNotice: 'mario.rossi@example.com',
    ...overrides,
  };
}

const client = (options: { key?: string | undefined; timeoutMs?: number; base?: string } = {}) =>
  new CheckoutHttpClient(options.base ?? `${origin}/checkout/ec/v1/`, async () => ('key' in options ? options.key : KEY), { timeoutMs: options.timeoutMs ?? 2000 });

async function failure(promise: Promise<unknown>): Promise<CheckoutError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckoutError);
  expect((error as Error).message).not.toContain(KEY);
  return error as CheckoutError;
}

describe('CheckoutHttpClient.create', () => {
  it('POSTs the cart as JSON to <base>/carts with the subscription key and returns the 302 location', async () => {
    const result = await client().create(OFC, cart());
    expect(result.checkoutUrl).toBe('https://checkout.example/carts/0b7c3f1e-6a41-4f0b-9d1e-1f2a3b4c5d6e/redirect?clientId=CHECKOUT');
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/checkout/ec/v1/carts');
    expect(request!.headers['ocp-apim-subscription-key']).toBe(KEY);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({
      paymentNotices: [notice(1), notice(2)],
      returnUrls: cart().returnUrls,
      idCart: 'cart-42',
      emailNotice: 'mario.rossi@example.com',
    });
  });

  it('leaves emailNotice out when there is none, and resolves a relative location against the API', async () => {
    answer = (_req, res) => {
      res.writeHead(302, { location: '/carts/abc/redirect?clientId=CHECKOUT' });
      res.end();
    };
    const { emailNotice: _omit, ...withoutEmail } = cart();
    const result = await client().create(OFC, withoutEmail);
    expect(result.checkoutUrl).toBe(`${origin}/carts/abc/redirect?clientId=CHECKOUT`);
    expect(JSON.parse(seen[0]!.body)).not.toHaveProperty('emailNotice');
  });

  it('does not follow the redirect', async () => {
    answer = (req, res) => {
      if (req.url?.endsWith('/carts')) res.writeHead(302, { location: `${origin}/followed` });
      else res.writeHead(200);
      res.end();
    };
    const result = await client().create(OFC, cart());
    expect(result.checkoutUrl).toBe(`${origin}/followed`);
    expect(seen.map((s) => s.path)).toEqual(['/checkout/ec/v1/carts']);
  });

  it('a 4xx is refused, with the status and the ProblemJson detail', async () => {
    answer = problem(422, { type: 'about:blank', title: 'Unprocessable Entity', status: 422, detail: 'Invalid payment notice data' });
    const error = await failure(client().create(OFC, cart()));
    expect(error).toMatchObject({ kind: 'refused', status: 422, detail: 'Invalid payment notice data' });

    answer = problem(400, { title: 'Bad Request', status: 400, detail: 'Invalid request: paymentNotices[0].noticeNumber' });
    expect(await failure(client().create(OFC, cart()))).toMatchObject({ kind: 'refused', status: 400, detail: 'Invalid request: paymentNotices[0].noticeNumber' });
  });

  it("APIM's 401 (a wrong key) is refused with APIM's message; its 429 is unavailable", async () => {
    answer = problem(401, { statusCode: 401, message: 'Access denied due to invalid subscription key.' });
    expect(await failure(client().create(OFC, cart()))).toMatchObject({ kind: 'refused', status: 401, detail: 'Access denied due to invalid subscription key.' });
    answer = problem(429, { statusCode: 429, message: 'Rate limit is exceeded.' });
    expect(await failure(client().create(OFC, cart()))).toMatchObject({ kind: 'unavailable', status: 429 });
  });

  it('a 5xx is unavailable, with or without a JSON body', async () => {
    answer = problem(500, { title: 'Internal Server Error', status: 500, detail: 'There was an error processing the request' });
    expect(await failure(client().create(OFC, cart()))).toMatchObject({ kind: 'unavailable', status: 500, detail: 'There was an error processing the request' });
    answer = problem(503, '<html>Service Unavailable</html>');
    const error = await failure(client().create(OFC, cart()));
    expect(error).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(error.detail).toBeUndefined();
  });

  it('a 200 (no redirect) or a 302 without location is unavailable', async () => {
    answer = problem(200, { ok: true });
    expect(await failure(client().create(OFC, cart()))).toMatchObject({ kind: 'unavailable', status: 200 });
    answer = (_req, res) => {
      res.writeHead(302);
      res.end();
    };
    expect(await failure(client().create(OFC, cart()))).toMatchObject({ kind: 'unavailable', status: 302 });
  });

  it('a slow answer is unavailable after the timeout', async () => {
    answer = (_req, res) => {
      setTimeout(() => {
        if (!res.destroyed) {
          res.writeHead(302, { location: 'https://late.example/' });
          res.end();
        }
      }, 1500);
    };
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 200 }).create(OFC, cart()));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/in time/);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('an unreachable API is unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(client({ base: `http://127.0.0.1:${port}/checkout/ec/v1` }).create(OFC, cart()));
    expect(error.kind).toBe('unavailable');
    expect(error.status).toBeUndefined();
  });

  it('no key for the tenant is not-configured, and nothing is sent', async () => {
    const error = await failure(client({ key: undefined }).create(OFC, cart()));
    expect(error.kind).toBe('not-configured');
    expect(seen).toHaveLength(0);
  });

  it('a failing key source is unavailable, and nothing is sent', async () => {
    const broken = new CheckoutHttpClient(`${origin}/checkout/ec/v1`, async () => {
      throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    });
    expect(await failure(broken.create(OFC, cart()))).toMatchObject({ kind: 'unavailable' });
    expect(seen).toHaveLength(0);
  });

  it.each([
    ['no notice', cart({ paymentNotices: [] }), 'paymentNotices'],
    ['6 notices', cart({ paymentNotices: [1, 2, 3, 4, 5, 6].map((n) => notice(n)) }), 'at most 5'],
    ['a 17-digit notice number', cart({ paymentNotices: [notice(1, { noticeNumber: '30200000000000001' })] }), 'paymentNotices.0.noticeNumber'],
    ['letters in the notice number', cart({ paymentNotices: [notice(1, { noticeNumber: '3020000000000000AB' })] }), 'paymentNotices.0.noticeNumber'],
    ['a 10-digit fiscal code', cart({ paymentNotices: [notice(1, { fiscalCode: '8000123456' })] }), 'paymentNotices.0.fiscalCode'],
    ['a zero amount', cart({ paymentNotices: [notice(1, { amount: 0 })] }), 'paymentNotices.0.amount'],
    ['a fractional amount', cart({ paymentNotices: [notice(1, { amount: 10.5 })] }), 'paymentNotices.0.amount'],
    ['a 141-character company name', cart({ paymentNotices: [notice(1, { companyName: 'C'.repeat(141) })] }), 'paymentNotices.0.companyName'],
    ['a 141-character description', cart({ paymentNotices: [notice(1, { description: 'd'.repeat(141) })] }), 'paymentNotices.0.description'],
    ['the same notice twice', cart({ paymentNotices: [notice(1), notice(2), notice(1, { amount: 5 })] }), 'paymentNotices.2'],
    ['a relative return URL', cart({ returnUrls: { ...cart().returnUrls, returnOkUrl: '/cittadino/pagamenti/esito' } }), 'returnUrls.returnOkUrl'],
    ['a malformed e-mail', cart({ emailNotice: 'not-an-email' }), 'emailNotice'],
  ])('refuses %s before sending anything', async (_name, bad, field) => {
    const error = await failure(client().create(OFC, bad));
    expect(error.kind).toBe('refused');
    expect(error.status).toBeUndefined();
    expect(error.detail).toContain(field);
    expect(seen).toHaveLength(0);
  });

  it('accepts the limits themselves: 5 notices, 140 characters, 1 cent', async () => {
    const edge = cart({ paymentNotices: [1, 2, 3, 4, 5].map((n) => notice(n, { companyName: 'C'.repeat(140), description: 'd'.repeat(140), amount: 1 })) });
    await expect(client().create(OFC, edge)).resolves.toHaveProperty('checkoutUrl');
    expect(JSON.parse(seen[0]!.body).paymentNotices).toHaveLength(5);
  });
});

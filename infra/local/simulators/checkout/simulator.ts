/**
 * pagoPA Checkout, simulated for the local cloud and the tests: the creditor's side ("Checkout -
 * EC API", pagopa/pagopa-api openapi/checkout_v1.json) and the citizen's page, playing pagoPA's
 * part end to end. Paths below the mount (/_sim/checkout):
 *
 *   POST /ec/v1/carts                  PostCarts: `Ocp-Apim-Subscription-Key` (or `?subscription-key=`)
 *                                      one of the seed's checkout keys, else 401; the body checked as
 *                                      the spec's CartRequest (400 ProblemJson naming the fields);
 *                                      more than 5 notices or the same (fiscalCode, noticeNumber)
 *                                      twice → 422, as pagoPA's backend answers
 *                                      (pagopa-ecommerce-payment-requests-service BaseCartService);
 *                                      every notice checked payable (the backend asks the node's
 *                                      checkPosition; here the station's paVerifyPaymentNotice),
 *                                      else 422 "Invalid payment notice data"; the cart kept for 10
 *                                      minutes (the backend's Redis TTL); 302
 *                                      `location: <base>/carts/<uuid>/redirect?clientId=CHECKOUT`
 *   GET  /carts/{id}/redirect          the citizen's page: the notices, an e-mail field, "Paga" and
 *                                      "Annulla"; 404 unknown, 410 expired
 *   POST /carts/{id}/pay               pays every notice through the node (paVerifyPaymentNotice →
 *                                      paGetPaymentV2 with paymentNote = idCart → paSendRTV2), then
 *                                      303 returnOkUrl; any failure → 303 returnErrorUrl. Paid once:
 *                                      a second POST goes back to returnOkUrl without paying again.
 *   POST /carts/{id}/cancel            303 returnCancelUrl
 *
 * The simulator pays at once: no PSP choice, no card form, no fee screen.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { cartPage, messagePage } from './pages';

export const CHECKOUT_API_PREFIX = '/ec/v1';
/** the backend's cart TTL (pagopa-ecommerce-payment-requests-service RedisConfiguration) */
export const CART_TTL_MS = 10 * 60 * 1000;
/** prod CARTS_MAX_ALLOWED_PAYMENT_NOTICES */
export const MAX_NOTICES = 5;
const MAX_BODY_BYTES = 64 * 1024;

/** PaymentNotice (checkout_v1.json): lengths only, as the spec (digits are not checked there). */
const noticeSchema = z.object({
  noticeNumber: z.string().length(18),
  fiscalCode: z.string().length(11),
  amount: z.number().int().min(1),
  companyName: z.string().max(140),
  description: z.string().max(140),
});

/** CartRequest (checkout_v1.json); the item count above 5 is the backend's own 422, checked after. */
const cartRequestSchema = z.object({
  emailNotice: z.email().optional(),
  paymentNotices: z.array(noticeSchema).min(1),
  returnUrls: z.object({ returnOkUrl: z.url(), returnCancelUrl: z.url(), returnErrorUrl: z.url() }),
  idCart: z.string().optional(),
  allCCP: z.boolean().optional(),
});

export type SimCartRequest = z.infer<typeof cartRequestSchema>;
export type SimNotice = SimCartRequest['paymentNotices'][number];

export interface SimCart {
  readonly id: string;
  readonly request: SimCartRequest;
  readonly createdAt: number;
  readonly expiresAt: number;
  state: 'open' | 'paying' | 'paid' | 'failed' | 'cancelled';
  /** the e-mail the citizen confirmed on the page */
  email?: string;
  /** the node's fault that stopped the payment */
  faultCode?: string;
}

/** The node's answer for one notice. */
export interface NodeOutcome {
  readonly ok: boolean;
  readonly faultCode?: string;
}

export interface CheckoutSimulatorOptions {
  /** the subscription keys APIM accepts (the seed's `checkout.apiKey`s) */
  readonly apiKeys: ReadonlySet<string>;
  /** where the simulator is reachable from the browser, e.g. http://127.0.0.1:3000/_sim/checkout; undefined until bound */
  readonly publicBase: () => string | undefined;
  /** is the notice payable (the node's check) */
  readonly verify: (notice: SimNotice) => Promise<NodeOutcome>;
  /** the node pays the notice (paymentNote = the cart's idCart) */
  readonly pay: (notice: SimNotice, paymentNote: string | undefined) => Promise<NodeOutcome>;
  /** the path the listener is mounted at (the page's forms post there), e.g. /_sim/checkout */
  readonly mountPath?: string;
  readonly now?: () => number;
  readonly newId?: () => string;
}

export interface CheckoutSimulator {
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** the carts kept (paid ones too), newest last */
  carts(): SimCart[];
  reset(): void;
}

export function createCheckoutSimulator(options: CheckoutSimulatorOptions): CheckoutSimulator {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const carts = new Map<string, SimCart>();
  const payments = new Map<string, Promise<void>>();

  function sweep(): void {
    // open carts go after their TTL; finished ones are kept an hour, for a late second POST
    const t = now();
    for (const [id, cart] of carts) if (cart.expiresAt + 60 * 60 * 1000 < t) carts.delete(id);
  }

  async function postCarts(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const key = header(req, 'ocp-apim-subscription-key') ?? query.get('subscription-key') ?? undefined;
    if (key === undefined || !options.apiKeys.has(key)) {
      // APIM refuses before the backend sees the request
      problem(res, 401, 'Unauthorized', key === undefined ? 'Access denied due to missing subscription key.' : 'Access denied due to invalid subscription key.');
      return;
    }
    const base = options.publicBase();
    if (base === undefined) return problem(res, 503, 'Service Unavailable', 'the Checkout simulator is not bound to a cloud yet');
    let raw: unknown;
    try {
      raw = JSON.parse(await readBody(req));
    } catch (error) {
      if (error instanceof BodyTooLarge) return problem(res, 413, 'Payload Too Large', `the body exceeds ${MAX_BODY_BYTES} bytes`);
      return problem(res, 400, 'Bad Request', 'the body is not JSON');
    }
    const parsed = cartRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`).join('; ');
      return problem(res, 400, 'Bad Request', `Invalid request: ${fields}`);
    }
    const cart = parsed.data;
    if (cart.paymentNotices.length > MAX_NOTICES) {
      return problem(res, 422, 'Unprocessable Entity', `Too many payment notices, expected max ${MAX_NOTICES}`);
    }
    const keys = new Set(cart.paymentNotices.map((n) => `${n.fiscalCode}|${n.noticeNumber}`));
    if (keys.size !== cart.paymentNotices.length) return problem(res, 422, 'Unprocessable Entity', 'Duplicate payment notice values found.');
    const checks = await Promise.all(cart.paymentNotices.map((n) => options.verify(n).catch((): NodeOutcome => ({ ok: false }))));
    if (checks.some((c) => !c.ok)) return problem(res, 422, 'Unprocessable Entity', 'Invalid payment notice data');

    sweep();
    const id = newId();
    const createdAt = now();
    carts.set(id, { id, request: cart, createdAt, expiresAt: createdAt + CART_TTL_MS, state: 'open', ...(cart.emailNotice ? { email: cart.emailNotice } : {}) });
    res.writeHead(302, { location: `${base}/carts/${id}/redirect?clientId=CHECKOUT`, 'content-length': '0' });
    res.end();
  }

  /** the cart, or an error page sent (404 unknown, 410 expired and never paid) */
  function cartOr(res: ServerResponse, id: string): SimCart | undefined {
    const cart = carts.get(id);
    if (!cart) {
      html(res, 404, messagePage('Carrello non trovato', 'Il carrello richiesto non esiste. Torna al sito dell’ente e avvia di nuovo il pagamento.'));
      return undefined;
    }
    if ((cart.state === 'open' || cart.state === 'cancelled') && cart.expiresAt <= now()) {
      html(res, 410, messagePage('Carrello scaduto', 'Il carrello è scaduto: resta valido 10 minuti. Torna al sito dell’ente e avvia di nuovo il pagamento.'));
      return undefined;
    }
    return cart;
  }

  async function pay(req: IncomingMessage, res: ServerResponse, cart: SimCart): Promise<void> {
    const form = new URLSearchParams(await readBody(req).catch(() => ''));
    const urls = cart.request.returnUrls;
    if (cart.state === 'cancelled') return redirect(res, urls.returnCancelUrl);
    if (cart.state === 'open') {
      const email = form.get('email')?.trim();
      if (email) cart.email = email;
      cart.state = 'paying';
      const run = (async () => {
        for (const notice of cart.request.paymentNotices) {
          const outcome = await options.pay(notice, cart.request.idCart).catch((): NodeOutcome => ({ ok: false, faultCode: 'NODE_UNREACHABLE' }));
          if (!outcome.ok) {
            cart.state = 'failed';
            if (outcome.faultCode) cart.faultCode = outcome.faultCode;
            return;
          }
        }
        cart.state = 'paid';
      })();
      payments.set(cart.id, run);
    }
    // a second POST while the first is paying waits for it
    await payments.get(cart.id);
    redirect(res, cart.state === 'paid' ? urls.returnOkUrl : urls.returnErrorUrl);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (path === `${CHECKOUT_API_PREFIX}/carts`) {
      if (method !== 'POST') return problem(res, 405, 'Method Not Allowed', 'POST only');
      return postCarts(req, res, url.searchParams);
    }
    const m = /^\/carts\/([0-9a-f-]{36})\/(redirect|pay|cancel)$/.exec(path);
    if (!m) return problem(res, 404, 'Not Found', 'no such resource');
    const [, id, action] = m as unknown as [string, string, 'redirect' | 'pay' | 'cancel'];
    if (action === 'redirect' && method !== 'GET') return problem(res, 405, 'Method Not Allowed', 'GET only');
    if (action !== 'redirect' && method !== 'POST') return problem(res, 405, 'Method Not Allowed', 'POST only');
    const cart = cartOr(res, id);
    if (!cart) return;
    if (action === 'redirect') {
      if (cart.state === 'paid') return html(res, 200, messagePage('Carrello già pagato', 'Questo carrello è già stato pagato.', { href: cart.request.returnUrls.returnOkUrl, label: 'Torna al sito dell’ente' }));
      if (cart.state === 'cancelled') return html(res, 200, messagePage('Pagamento annullato', 'Hai annullato questo pagamento.', { href: cart.request.returnUrls.returnCancelUrl, label: 'Torna al sito dell’ente' }));
      return html(res, 200, cartPage(cart, `${(options.mountPath ?? '').replace(/\/+$/, '')}/carts/${cart.id}`));
    }
    if (action === 'cancel') {
      if (cart.state === 'open') cart.state = 'cancelled';
      const urls = cart.request.returnUrls;
      return redirect(res, cart.state === 'paid' ? urls.returnOkUrl : cart.state === 'cancelled' ? urls.returnCancelUrl : urls.returnErrorUrl);
    }
    return pay(req, res, cart);
  }

  return {
    listener: (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) problem(res, 500, 'Internal Server Error', 'the Checkout simulator failed');
        else res.end();
      });
    },
    carts: () => [...carts.values()],
    reset: () => {
      carts.clear();
      payments.clear();
    },
  };
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `paymentNotices[0].noticeNumber` */
function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(body)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/** ProblemJson, as checkout_v1.json's 400/500 */
function problem(res: ServerResponse, status: number, title: string, detail: string): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'content-length': '0' });
  res.end();
}

/**
 * pagoPA Checkout for creditor organizations ("Checkout - EC API", pagopa/pagopa-api
 * openapi/checkout_v1.json): `POST /carts` with the tenant's own subscription key in
 * `Ocp-Apim-Subscription-Key`; pagoPA answers 302 with the Checkout page in `location`, where the
 * citizen's browser is sent.
 *
 * v1, not v2 (openapi/checkout_v2.json, `PostCartsV2`): v2 differs only in requiring a fourth
 * return URL, `returnWaitingUrl`, for a payment still being processed; the counter's outcome page
 * treats every return as "see your position" and the authoritative outcome is the receipt
 * (paSendRT) anyway, so v1's three URLs (CheckoutCartRequest) are all it needs.
 *
 * The cart is checked against the spec's limits before it is sent — 1..5 notices, noticeNumber
 * 18 digits, fiscalCode 11 digits, amount integer euro cents ≥ 1, companyName and description
 * ≤ 140, no two notices with the same (fiscalCode, noticeNumber) (pagoPA answers 422 "Duplicate
 * payment notice values found.", pagopa-ecommerce-payment-requests-service BaseCartService) — so
 * a cart pagoPA would refuse is refused here, without a call.
 *
 * Errors are CheckoutError: 'not-configured' (no key for the tenant), 'refused' (4xx, or our own
 * check; `detail` from the ProblemJson), 'unavailable' (5xx, 429, timeout, network, the key
 * source failing). The key is never logged nor put in a message.
 */
import * as z from 'zod';
import { CheckoutError, type CheckoutCartRequest, type CheckoutCarts } from '../use-cases/citizens/ports';

/** production base (the spec lists UAT's https://api.uat.platform.pagopa.it/checkout/ec/v1) */
export const CHECKOUT_API_URL_DEFAULT = 'https://api.platform.pagopa.it/checkout/ec/v1';

/** most notices in a cart (PaymentNotice maxItems; prod CARTS_MAX_ALLOWED_PAYMENT_NOTICES = 5) */
export const CHECKOUT_MAX_NOTICES = 5;

const text140 = z.string().trim().min(1).max(140);
const absoluteUrl = z.url({ protocol: /^https?$/ });

const noticeSchema = z.object({
  noticeNumber: z.string().regex(/^\d{18}$/, 'must be 18 digits'),
  fiscalCode: z.string().regex(/^\d{11}$/, 'must be 11 digits'),
  amount: z.number().int('must be integer euro cents').min(1, 'must be at least 1 cent').max(Number.MAX_SAFE_INTEGER),
  companyName: text140,
  description: text140,
});

/** CartRequest (checkout_v1.json), as this layer sends it (allCCP left out: the default, false). */
const cartSchema = z
  .object({
    // the station receives it as paGetPayment's paymentNote (stText210)
    idCart: z.string().min(1).max(210),
    paymentNotices: z.array(noticeSchema).min(1, 'at least one notice').max(CHECKOUT_MAX_NOTICES, `at most ${CHECKOUT_MAX_NOTICES} notices`),
    returnUrls: z.object({ returnOkUrl: absoluteUrl, returnCancelUrl: absoluteUrl, returnErrorUrl: absoluteUrl }),
    emailNotice: z.email().optional(),
  })
  .superRefine((cart, ctx) => {
    const seen = new Set<string>();
    cart.paymentNotices.forEach((n, i) => {
      const key = `${n.fiscalCode}|${n.noticeNumber}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['paymentNotices', i], message: 'the same notice twice (fiscalCode, noticeNumber)' });
      seen.add(key);
    });
  });

/** ProblemJson; APIM's own refusals (401, 429) carry {statusCode, message} instead. */
const problemSchema = z.looseObject({ title: z.string().optional(), detail: z.string().optional(), message: z.string().optional() });

export interface CheckoutHttpClientOptions {
  /** whole request, ms (default 10 000) */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export class CheckoutHttpClient implements CheckoutCarts {
  private readonly baseUrl: string;

  /**
   * @param baseUrl the API base, CHECKOUT_API_URL (default the production v1 base); `/carts` is appended
   * @param keyOf the tenant's Checkout subscription key (shared/composition/subscription-keys.ts)
   */
  constructor(
    baseUrl: string | undefined,
    private readonly keyOf: (organizationFiscalCode: string) => Promise<string | undefined>,
    private readonly options: CheckoutHttpClientOptions = {},
  ) {
    this.baseUrl = (baseUrl ?? CHECKOUT_API_URL_DEFAULT).replace(/\/+$/, '');
  }

  async create(organizationFiscalCode: string, cart: CheckoutCartRequest): Promise<{ readonly checkoutUrl: string }> {
    const parsed = cartSchema.safeParse(cart);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(cart)'}: ${i.message}`).join('; ');
      throw new CheckoutError('refused', `the cart breaks Checkout's limits: ${detail}`, undefined, detail);
    }
    let apiKey: string | undefined;
    try {
      apiKey = await this.keyOf(organizationFiscalCode);
    } catch (error) {
      throw new CheckoutError('unavailable', `the Checkout subscription key could not be read: ${(error as Error).name}`);
    }
    if (apiKey === undefined || apiKey === '') {
      throw new CheckoutError('not-configured', `organization ${organizationFiscalCode} has no Checkout subscription key`);
    }

    const url = `${this.baseUrl}/carts`;
    const { idCart, paymentNotices, returnUrls, emailNotice } = parsed.data;
    const body = JSON.stringify({ paymentNotices, returnUrls, idCart, ...(emailNotice !== undefined ? { emailNotice } : {}) });
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'Ocp-Apim-Subscription-Key': apiKey },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new CheckoutError('unavailable', timedOut ? 'Checkout did not answer in time' : `Checkout could not be reached: ${(error as Error).message}`);
    }

    const status = response.status;
    if (status === 302 || status === 303 || status === 301 || status === 307) {
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get('location');
      const checkoutUrl = location ? absolute(location, url) : undefined;
      if (!checkoutUrl) throw new CheckoutError('unavailable', `Checkout answered ${status} without a usable location`, status);
      return { checkoutUrl };
    }
    const detail = await problemDetail(response);
    if (status === 429 || status >= 500) {
      throw new CheckoutError('unavailable', `Checkout answered ${status}${detail ? `: ${detail}` : ''}`, status, detail);
    }
    if (status >= 400) {
      throw new CheckoutError('refused', `Checkout refused the cart (${status})${detail ? `: ${detail}` : ''}`, status, detail);
    }
    throw new CheckoutError('unavailable', `Checkout answered ${status}, not the 302 redirect to the cart`, status, detail);
  }
}

function absolute(location: string, base: string): string | undefined {
  try {
    const u = new URL(location, base);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** ProblemJson's detail (or title; APIM's message), at most 500 characters; undefined when the body is not JSON. */
async function problemDetail(response: Response): Promise<string | undefined> {
  let raw: string;
  try {
    raw = await response.text();
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const problem = problemSchema.safeParse(json);
  if (!problem.success) return undefined;
  const text = problem.data.detail ?? problem.data.message ?? problem.data.title;
  return text === undefined ? undefined : text.slice(0, 500);
}

/**
 * The citizen's counter (`/cittadino/...`), one Lambda for every route (citizen-counter),
 * dispatching on the API Gateway route key like the console API. Pages are HTML rendered on the
 * server (shared/http/citizen-pages.ts); forms are urlencoded POSTs. The caller is a citizen with
 * a session cookie opened by a SPID or CIE sign-in (shared/use-cases/citizens/sign-in.ts); the
 * cookie is http-only, SameSite=Lax, `__Host-` and Secure over HTTPS, and holds only a random
 * token. Every POST also carries the session's form token (CSRF).
 *
 * A refusal is a page that says what happened in Italian and changes nothing; a 5xx page carries
 * only the request id.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createHash, timingSafeEqual } from 'node:crypto';
import { instrument } from '../observability/lambda';
import { UseCaseError } from '../use-cases/errors';
import { getNoticePdf } from '../use-cases/notices/serve-notice';
import type { NoticeDeps } from '../use-cases/notices/stored-notices';
import { cartOf, citizenCounter, citizenPosition, citizenReceipt, payNotices, type CartDeps } from '../use-cases/citizens/counter';
import { CheckoutError, SignInRefused, type CitizenSession } from '../use-cases/citizens/ports';
import { completeSignIn, completeSignOut, idpSignOut, safeReturnPath, sessionOf, signOut, startSignIn, type SignInDeps } from '../use-cases/citizens/sign-in';
import { COUNTER_BASE, cartOutcomePage, counterPage, errorPage, leavingPage, positionPage, signInPage } from './citizen-pages';

export interface CitizenEdgeDeps {
  readonly logger: Logger;
  readonly signIn: SignInDeps;
  readonly counter: CartDeps;
  readonly notices: NoticeDeps;
  /** the PDF receipt of an applied receipt */
  readonly renderReceipt: (input: Awaited<ReturnType<typeof citizenReceipt>>) => Uint8Array | Promise<Uint8Array>;
  /** the counter's public URL, e.g. https://comune.example/cittadino (return URLs, the ACS) */
  readonly counterUrl: string;
  /** origins a form of the counter may end on (Checkout's), for the Content-Security-Policy */
  readonly formTargets: readonly string[];
  /** extra routes (spontaneous payments), keyed like the catalog's routes */
  readonly extraRoutes?: Readonly<Record<string, PageRoute>>;
}

export interface PageRequest {
  readonly method: string;
  readonly path: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** the query string as received (a SAML redirect's signature is computed over its octets) */
  readonly rawQuery: string;
  readonly form: URLSearchParams;
  readonly cookies: Readonly<Record<string, string>>;
  readonly requestId: string;
  /** the signed-in citizen, when the cookie opens a session */
  readonly session?: CitizenSession;
  readonly token?: string;
}

export interface PageResult {
  readonly status: number;
  readonly html?: string;
  readonly bytes?: Uint8Array;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly cookies?: readonly string[];
}

export type PageRoute = (request: PageRequest) => Promise<PageResult>;

const MAX_FORM_BYTES = 256 * 1024;
const SESSION_COOKIE_SECURE = '__Host-sportello';
const SESSION_COOKIE_PLAIN = 'sportello';

export const html = (status: number, body: string, cookies?: readonly string[]): PageResult => ({ status, html: body, ...(cookies ? { cookies } : {}) });
export const redirect = (location: string, cookies?: readonly string[]): PageResult => ({ status: 303, headers: { location }, ...(cookies ? { cookies } : {}) });

/** An HTTP 4xx the citizen is shown as a page. */
export class PageRefusal extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

/** The signed-in citizen; a GET without a session goes to sign-in (and back). */
export function signedIn(r: PageRequest): CitizenSession {
  if (!r.session) throw new PageRefusal(401, 'Accesso necessario', 'Accedi con SPID o CIE per continuare.');
  return r.session;
}

/** The session's form token must come back with every POST. */
export function requireFormToken(request: PageRequest): CitizenSession {
  const session = request.session;
  if (!session) throw new PageRefusal(401, 'Accesso necessario', 'La sessione è scaduta: accedi di nuovo.');
  const sent = Buffer.from(request.form.get('_token') ?? '', 'utf8');
  const expected = Buffer.from(session.formToken, 'utf8');
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    throw new PageRefusal(403, 'Richiesta non valida', 'Il modulo è scaduto o non viene da questo sportello: ricarica la pagina e riprova.');
  }
  return session;
}

const SIGN_IN_MESSAGES: Record<string, string> = {
  'unknown-request': 'La richiesta di accesso è scaduta o è già stata usata: accedi di nuovo.',
  'other-browser': 'L’accesso è stato avviato da un altro browser o è scaduto: accedi di nuovo da qui.',
  replay: 'Questa risposta del gestore di identità è già stata usata: accedi di nuovo.',
  expired: "La risposta del gestore di identità è scaduta: accedi di nuovo.",
  'not-yet-valid': "La risposta del gestore di identità non è ancora valida: controlla l'ora del dispositivo e riprova.",
  level: 'Serve un accesso con SPID di livello 2 o superiore.',
  attributes: 'Il gestore di identità non ha fornito i dati necessari (codice fiscale, nome, cognome).',
};
/** SPID's error codes a citizen can act on (SPID technical rules, "Tabella messaggi di anomalia") */
const SPID_ERROR_MESSAGES: Record<number, string> = {
  19: 'Accesso non riuscito: troppi tentativi con credenziali errate.',
  20: 'Accesso non riuscito: la tua identità SPID non ha le credenziali del livello richiesto.',
  21: 'Accesso non riuscito: tempo scaduto durante l’autenticazione.',
  22: 'Accesso non riuscito: non hai dato il consenso a inviare i dati.',
  23: 'Accesso non riuscito: la tua identità SPID è sospesa o revocata.',
  25: 'Hai annullato l’accesso.',
};

function signInMessage(error: SignInRefused): string {
  if (error.spidErrorCode !== undefined && SPID_ERROR_MESSAGES[error.spidErrorCode]) return SPID_ERROR_MESSAGES[error.spidErrorCode]!;
  return SIGN_IN_MESSAGES[error.reason] ?? 'Il gestore di identità ha inviato una risposta non valida: accedi di nuovo.';
}

export function citizenCounterEdge(deps: CitizenEdgeDeps) {
  const secure = deps.counterUrl.startsWith('https://');
  const cookieName = secure ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN;
  const sessionCookie = (token: string, maxAgeSeconds: number) =>
    `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
  const clearCookie = `${cookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
  // the IdP posts its answer cross-site: over HTTPS the binding cookie must be SameSite=None to come
  // with it; on the local http stack the test IdP is same-site, and None would need Secure
  const bindingName = secure ? '__Host-sportello-accesso' : 'sportello-accesso';
  const bindingCookie = (relayState: string, maxAgeSeconds: number) =>
    `${bindingName}=${relayState ? bindingOf(relayState) : ''}; Path=/; HttpOnly; Max-Age=${maxAgeSeconds}${secure ? '; SameSite=None; Secure' : '; SameSite=Lax'}`;
  const csp = [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `form-action 'self' ${deps.formTargets.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

  const routes: Record<string, PageRoute> = {
    [`GET ${COUNTER_BASE}`]: async (r) => {
      if (!r.session) {
        const providers = await deps.signIn.gateway.identityProviders();
        const notice = r.query['uscito'] === '1' ? 'Sei uscito dallo sportello.' : undefined;
        return html(200, signInPage(providers, safeReturnPath(r.query['torna']), notice));
      }
      return html(200, counterPage(r.session, await citizenCounter(deps.counter, r.session)));
    },
    [`GET ${COUNTER_BASE}/accedi`]: async (r) => {
      const url = await startSignIn(deps.signIn, r.query['idp'] ?? '', r.query['torna']);
      // the sign-in is bound to this browser: the ACS takes the answer only from the browser that
      // started it (an attacker's own valid answer posted from a victim's browser is refused)
      const relayState = new URL(url).searchParams.get('RelayState') ?? '';
      return { status: 302, headers: { location: url }, cookies: [bindingCookie(relayState, 600)] };
    },
    [`POST ${COUNTER_BASE}/spid/acs`]: async (r) => {
      try {
        const relayState = r.form.get('RelayState') ?? '';
        const bound = r.cookies[bindingName];
        if (!bound || !relayState || !sameText(bound, bindingOf(relayState))) {
          throw new SignInRefused('other-browser', 'the answer does not come back to the browser that started the sign-in');
        }
        const done = await completeSignIn(deps.signIn, r.form.get('SAMLResponse') ?? undefined, r.form.get('RelayState') ?? undefined);
        deps.logger.info('citizen signed in', { scheme: done.session.scheme, identityProvider: done.session.identityProvider, spidLevel: done.session.spidLevel });
        return redirect(done.returnTo, [sessionCookie(done.token, Math.floor((Date.parse(done.session.expiresAt) - Date.parse(done.session.createdAt)) / 1000)), bindingCookie('', 0)]);
      } catch (error) {
        if (!(error instanceof SignInRefused)) throw error;
        deps.logger.warn('citizen sign-in refused', { reason: error.reason, ...(error.spidErrorCode !== undefined ? { spidErrorCode: error.spidErrorCode } : {}), detail: error.message });
        return html(error.spidErrorCode === 25 ? 200 : 401, errorPage(401, 'Accesso non riuscito', signInMessage(error)));
      }
    },
    [`GET ${COUNTER_BASE}/spid/metadata`]: async () => metadataOf(await deps.signIn.gateway.metadata('spid')),
    // the same SP in CIE's federation profile (its ContactPerson and attribute set differ)
    [`GET ${COUNTER_BASE}/cie/metadata`]: async () => metadataOf(await deps.signIn.gateway.metadata('cie')),
    [`POST ${COUNTER_BASE}/esci`]: async (r) => {
      if (r.session) requireFormToken(r);
      const idpLogout = await signOut(deps.signIn, r.token);
      // the IdP's own session too (Single Logout): through a page, not a redirect of the form's
      // POST, since the page's CSP form-action allows only this origin and Checkout's
      return idpLogout
        ? html(200, leavingPage(idpLogout), [clearCookie])
        : redirect(`${COUNTER_BASE}/?uscito=1`, [clearCookie]);
    },
    [`GET ${COUNTER_BASE}/spid/slo`]: async (r) => {
      const query = new URLSearchParams(r.rawQuery);
      if (query.has('SAMLResponse')) {
        try {
          await completeSignOut(deps.signIn, r.rawQuery, query.get('RelayState') ?? undefined);
        } catch (error) {
          if (!(error instanceof SignInRefused)) throw error;
          // the counter's session is gone already: the citizen is out either way
          deps.logger.warn('identity provider logout response refused', { reason: error.reason, detail: error.message });
        }
        return redirect(`${COUNTER_BASE}/?uscito=1`);
      }
      if (!query.has('SAMLRequest')) throw new PageRefusal(400, 'Richiesta non valida', 'Manca il messaggio SAML.');
      try {
        const { url, ended } = await idpSignOut(deps.signIn, r.rawQuery);
        deps.logger.info('citizen signed out by the identity provider', { sessions: ended });
        return { status: 302, headers: { location: url }, cookies: [clearCookie] };
      } catch (error) {
        if (!(error instanceof SignInRefused)) throw error;
        deps.logger.warn('identity provider logout request refused', { reason: error.reason, detail: error.message });
        throw new PageRefusal(400, 'Richiesta non valida', 'La richiesta di uscita del gestore di identità non è valida.');
      }
    },
    [`GET ${COUNTER_BASE}/posizioni/{organizationFiscalCode}/{iupd}`]: async (r) => {
      const session = signedIn(r);
      const p = await citizenPosition(deps.counter, session, r.pathParameters['organizationFiscalCode'] ?? '', r.pathParameters['iupd'] ?? '');
      return html(200, positionPage(session, p));
    },
    [`GET ${COUNTER_BASE}/posizioni/{organizationFiscalCode}/{iupd}/avviso`]: async (r) => {
      const session = signedIn(r);
      const p = await citizenPosition(deps.counter, session, r.pathParameters['organizationFiscalCode'] ?? '', r.pathParameters['iupd'] ?? '');
      const pdf = await getNoticePdf(deps.notices, p.organization, p.position.iupd);
      return { status: 200, bytes: pdf.bytes, contentType: 'application/pdf', headers: { 'content-disposition': `attachment; filename="${pdf.fileName}"` } };
    },
    [`GET ${COUNTER_BASE}/posizioni/{organizationFiscalCode}/{iupd}/ricevute/{receiptId}`]: async (r) => {
      const session = signedIn(r);
      const found = await citizenReceipt(deps.counter, session, r.pathParameters['organizationFiscalCode'] ?? '', r.pathParameters['iupd'] ?? '', r.pathParameters['receiptId'] ?? '');
      const bytes = await deps.renderReceipt(found);
      const name = `ricevuta-${found.receipt.nav}.pdf`;
      return { status: 200, bytes, contentType: 'application/pdf', headers: { 'content-disposition': `attachment; filename="${name}"` } };
    },
    [`POST ${COUNTER_BASE}/pagamenti`]: async (r) => {
      const session = requireFormToken(r);
      const ofc = r.form.get('ente') ?? '';
      try {
        const { checkoutUrl, idCart } = await payNotices(deps.counter, session, { organizationFiscalCode: ofc, noticeNumbers: r.form.getAll('avviso'), counterUrl: deps.counterUrl });
        deps.logger.info('checkout cart created', { organization: ofc, idCart, notices: r.form.getAll('avviso').length });
        return redirect(checkoutUrl);
      } catch (error) {
        const text =
          error instanceof UseCaseError
            ? error.kind === 'invalid'
              ? cartMessage(error)
              : 'Avviso non trovato.'
            : error instanceof CheckoutError
              ? error.kind === 'refused'
                ? 'pagoPA non accetta questi avvisi in questo momento: uno potrebbe essere già pagato o scaduto.'
                : error.kind === 'not-configured'
                  ? 'Il pagamento online non è ancora attivo per questo Comune: usa l’avviso di pagamento.'
                  : 'pagoPA non risponde in questo momento: riprova tra qualche minuto.'
              : undefined;
        if (text === undefined) throw error;
        if (error instanceof CheckoutError) deps.logger.warn('checkout cart refused', { organization: ofc, kind: error.kind, status: error.status, detail: error.detail });
        const status = error instanceof CheckoutError && error.kind !== 'refused' ? 503 : 400;
        return html(status, counterPage(session, await citizenCounter(deps.counter, session), { kind: 'danger', text }));
      }
    },
    [`GET ${COUNTER_BASE}/pagamenti/esito`]: async (r) => {
      const session = signedIn(r);
      const cart = await cartOf(deps.counter, session, r.query['carrello'] ?? '');
      const paid = new Set<string>();
      if (cart) {
        for (const n of cart.notices) {
          const p = await citizenPosition(deps.counter, session, cart.organizationFiscalCode, n.iupd).catch(() => undefined);
          const option = p?.position.paymentOptions.find((o) => o.nav === n.nav);
          if (option && option.status !== 'PO_UNPAID') paid.add(n.nav);
        }
      }
      const outcome = ['ok', 'annullato', 'errore'].includes(r.query['esito'] ?? '') ? r.query['esito']! : 'errore';
      return html(200, cartOutcomePage(session, outcome, cart, paid));
    },
    ...(deps.extraRoutes ?? {}),
  };

  const respond = (result: PageResult, requestId: string): APIGatewayProxyStructuredResultV2 => {
    const headers: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'cache-control': 'no-store',
      'x-request-id': requestId,
      ...(result.html !== undefined ? { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp } : {}),
      ...(result.contentType ? { 'content-type': result.contentType } : {}),
      ...(secure ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
      ...result.headers,
    };
    const base = { statusCode: result.status, headers, ...(result.cookies?.length ? { cookies: [...result.cookies] } : {}) };
    if (result.bytes) return { ...base, body: Buffer.from(result.bytes).toString('base64'), isBase64Encoded: true };
    return { ...base, body: result.html ?? '' };
  };

  const handler = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    let request: PageRequest | undefined;
    try {
      request = await decode(event, deps, cookieName);
      const route = routes[event.routeKey];
      if (!route) throw new PageRefusal(404, 'Pagina non trovata', 'La pagina che cerchi non esiste.');
      return respond(await route(request), requestId);
    } catch (error) {
      const session = request?.session;
      if (error instanceof PageRefusal) {
        if (error.status === 401 && event.requestContext.http.method === 'GET') {
          return respond(redirect(`${COUNTER_BASE}/?torna=${encodeURIComponent(safeReturnPath(event.rawPath))}`), requestId);
        }
        deps.logger.info('page refused', { status: error.status, route: event.routeKey });
        return respond(html(error.status, errorPage(error.status, error.title, error.message, session)), requestId);
      }
      if (error instanceof UseCaseError) {
        const status = error.kind === 'not-found' ? 404 : error.kind === 'invalid' ? 400 : 409;
        deps.logger.info('page refused', { status, route: event.routeKey, detail: error.message });
        const title = status === 404 ? 'Non trovato' : 'Richiesta non valida';
        const message = status === 404 ? 'Non risulta nulla di tuo a questo indirizzo.' : status === 409 ? 'Questa azione non è possibile nello stato attuale.' : 'La richiesta non è valida.';
        return respond(html(status, errorPage(status, title, message, session)), requestId);
      }
      deps.logger.error('page failed', { error: error as Error, route: event.routeKey });
      return respond(html(500, errorPage(500, 'Errore del servizio', 'Si è verificato un errore: riprova tra qualche minuto.', session, requestId)), requestId);
    }
  };
  return instrument(handler);
}

function metadataOf(xml: string | undefined): PageResult {
  if (xml === undefined) throw new PageRefusal(404, 'Non configurato', 'I metadati CIE non sono configurati (CITIZEN_SP_MUNICIPALITY_CODE).');
  return { status: 200, bytes: Buffer.from(xml, 'utf8'), contentType: 'application/samlmetadata+xml; charset=utf-8' };
}

const bindingOf = (relayState: string): string => createHash('sha256').update(`sign-in\n${relayState}`, 'utf8').digest('base64url');
const sameText = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function cartMessage(error: UseCaseError): string {
  if (/at most/.test(error.message)) return 'Puoi pagare al massimo 5 avvisi alla volta.';
  if (/at least/.test(error.message)) return 'Scegli almeno un avviso da pagare.';
  if (/twice/.test(error.message)) return 'Hai scelto due volte lo stesso avviso.';
  return 'Uno degli avvisi scelti non è tra quelli che puoi pagare ora: ricarica la pagina.';
}

async function decode(event: APIGatewayProxyEventV2, deps: CitizenEdgeDeps, cookieName: string): Promise<PageRequest> {
  const cookies: Record<string, string> = {};
  for (const c of event.cookies ?? []) {
    const i = c.indexOf('=');
    if (i > 0) cookies[c.slice(0, i).trim()] = c.slice(i + 1).trim();
  }
  let form = new URLSearchParams();
  if (event.requestContext.http.method === 'POST' && event.body) {
    const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
    if (bytes.length > MAX_FORM_BYTES) throw new PageRefusal(413, 'Richiesta troppo grande', 'Il modulo inviato è troppo grande.');
    const type = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    if (!/^application\/x-www-form-urlencoded\b/i.test(type)) throw new PageRefusal(415, 'Richiesta non valida', 'Il modulo deve essere inviato da questa pagina.');
    form = new URLSearchParams(bytes.toString('utf8'));
  }
  const token = cookies[cookieName];
  const session = await sessionOf(deps.signIn, token);
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    pathParameters: Object.fromEntries(Object.entries(event.pathParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined)),
    query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined)),
    rawQuery: event.rawQueryString ?? '',
    form,
    cookies,
    requestId: event.requestContext.requestId,
    ...(session ? { session } : {}),
    ...(token ? { token } : {}),
  };
}

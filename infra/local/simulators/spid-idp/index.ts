/**
 * The local test identity provider of the citizen's counter, mounted by `npm start` at
 * /_sim/spid: it stands in for a SPID IdP (entityID `<cloud>/_sim/spid`) and for CIE's SAML IdP
 * (entityID `<cloud>/_sim/spid/cie`, which like CIE ID does not release the e-mail), so the SP
 * is exercised with both schemes. Each has its own RSA key and self-signed certificate,
 * generated at every start (published in its metadata, which the SP reads as it reads the
 * SPID registry's).
 *
 *   GET  /_sim/spid/metadata, /_sim/spid/cie/metadata   the IdP metadata (signed)
 *   GET  /_sim/spid/sso, /_sim/spid/cie/sso             SingleSignOnService, HTTP-Redirect binding
 *   POST /_sim/spid/accesso/<id>                        the login form (citizen + password, or Annulla)
 *   POST /_sim/spid/consenso/<id>                       the consent step (Acconsenti or Annulla)
 *   GET  /_sim/spid/slo, /_sim/spid/cie/slo             SingleLogoutService, HTTP-Redirect binding
 *   GET  /_sim/spid/esci, /_sim/spid/cie/esci           the IdP's sessions, to log one out from the IdP
 *
 * /sso verifies the SP's AuthnRequest as a real IdP does: the query-string signature (RSA-SHA256)
 * with the bound SP's certificate — an unsigned or tampered request gets an error page —, then
 * Destination, Issuer, AssertionConsumerServiceURL (or index 0), the ID and IssueInstant. The
 * citizen picks a demo identity from the seed file's `citizens` and types the demo password
 * (printed on the page: a local simulator), consents, and the browser POSTs a signed SAMLResponse
 * and the RelayState to the SP's ACS. "Annulla" answers SPID's ErrorCode nr25 (the user
 * cancelled the authentication).
 *
 * Single Logout (regole tecniche SPID, Single Logout; italia/spid-regole-tecniche@1dd4757:
 * single-logout.rst): every sign-in the IdP answers opens an IdP session (the NameID and
 * SessionIndex of its Assertion). /slo verifies the SP's LogoutRequest (query-string signature
 * with the bound SP's certificate, Destination, Issuer, IssueInstant, NameID, SessionIndex), ends
 * that session and redirects to the SP's SingleLogoutService with a signed LogoutResponse:
 * Success, or Requester/PartialLogout when the session is unknown (already closed, or the
 * simulator restarted) as the rules ask. From /esci the IdP starts the logout itself: a signed
 * LogoutRequest to the SP, whose LogoutResponse comes back to /slo.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DOMImplementation, type Element } from '@xmldom/xmldom';
import {
  BINDING,
  NAMEID_TRANSIENT,
  NS,
  SPID_LEVELS,
  STATUS,
  certificateBody,
  generateServiceProviderCredentials,
  parseXmlStrict,
  serializeXml,
  signEnveloped,
  spidLevelOf,
  type SpidLevel,
  elementBuilder,
} from '../../../../shared/adapters/spid-saml';
import { readSeedCitizens, type SeedCitizen } from './citizens';
import { buildIdpLogoutRequestRedirect, buildLogoutResponseRedirect } from './logout';
import { verifyRedirectMessage, verifyRedirectRequest } from './redirect-binding';
import { buildSamlErrorResponse, buildSamlResponse, type IdpCredentials } from './response-builder';

export { readSeedCitizens, seedCitizenSchema, type SeedCitizen } from './citizens';
export { buildIdpLogoutRequestRedirect, buildLogoutResponseRedirect, type LogoutOverrides } from './logout';
export { verifyRedirectMessage, verifyRedirectRequest, type RedirectMessageVerdict, type RedirectProblem, type RedirectVerdict } from './redirect-binding';
export { buildSamlErrorResponse, buildSamlResponse, type IdpCredentials, type ResponseCitizen, type ResponseSpec } from './response-builder';

export const SPID_IDP_PREFIX = '/_sim/spid';
/** the demo password of every demo citizen (shown on the login page) */
export const DEMO_PASSWORD = 'cittadino';
/** SPID ErrorCode nr25: "processo di autenticazione annullato dall'utente" */
export const SPID_ERROR_USER_CANCELLED = 25;

export type SimulatedScheme = 'spid' | 'cie';

export interface BoundServiceProvider {
  readonly entityId: string;
  readonly acsUrl: string;
  /** the SP's SingleLogoutService (HTTP-Redirect): where the IdP's LogoutResponses and LogoutRequests go */
  readonly sloUrl?: string;
  readonly certificatePem: string;
}

/** An IdP session: what the Assertion of a sign-in said, for its Single Logout. */
export interface IdpSession {
  readonly scheme: SimulatedScheme;
  readonly nameId: string;
  readonly sessionIndex: string;
  readonly fiscalNumber: string;
  /** ISO-8601 UTC */
  readonly expiresAt: string;
}

export interface LocalSpidIdp {
  readonly mounts: Array<{ prefix: string; listener: (req: IncomingMessage, res: ServerResponse) => void }>;
  readonly citizens: readonly SeedCitizen[];
  /** where the IdP metadata is published: read it as a MetadataSource of that scheme */
  metadataUrl(cloudUrl: string, scheme?: SimulatedScheme): string;
  entityId(cloudUrl: string, scheme?: SimulatedScheme): string;
  /** sets the gateway's URL and the one SP this IdP answers (its certificate verifies the requests) */
  bind(cloudUrl: string, sp: BoundServiceProvider): void;
  /** the IdP's signing credentials (for tests) */
  credentials(scheme?: SimulatedScheme): { readonly privateKeyPem: string; readonly certificatePem: string };
  /** the IdP sessions still open (sign-ins not logged out nor expired) */
  sessions(scheme?: SimulatedScheme): readonly IdpSession[];
  /**
   * An IdP-initiated logout of a session: the URL of the bound SP's SingleLogoutService with a
   * signed LogoutRequest; the IdP session is closed, and the SP's LogoutResponse is expected at /slo.
   */
  idpInitiatedLogout(session: { readonly scheme?: SimulatedScheme; readonly nameId: string; readonly sessionIndex?: string }, options?: { readonly relayState?: string; readonly now?: Date }): { readonly url: string; readonly requestId: string };
}

interface Pending {
  readonly scheme: SimulatedScheme;
  readonly requestId: string;
  readonly relayState: string | undefined;
  readonly level: SpidLevel;
  readonly expiresAt: number;
  citizen?: SeedCitizen;
}

const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 1000;
/** how long the IdP keeps a session open for its Single Logout */
const SESSION_TTL_MS = 60 * 60_000;
const REQUEST_SKEW_MS = 5 * 60_000;

const hash = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const SCHEME_LABEL: Record<SimulatedScheme, string> = { spid: 'SPID', cie: 'CIE' };

function page(scheme: SimulatedScheme, title: string, body: string): string {
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${SCHEME_LABEL[scheme]} (simulatore locale)</title>
<link rel="stylesheet" href="/console/assets/bootstrap-italia.min.css">
</head>
<body>
<a class="visually-hidden-focusable" href="#contenuto">Vai al contenuto</a>
<header class="it-header-slim-wrapper"><div class="container"><div class="it-header-slim-wrapper-content"><span class="d-lg-block navbar-brand">Identity provider ${SCHEME_LABEL[scheme]} · simulatore locale (non è un vero gestore di identità)</span></div></div></header>
<main id="contenuto" class="container my-5" style="max-width: 36rem">
${body}
</main>
</body>
</html>`;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8'): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.end(body);
}

function errorPage(res: ServerResponse, scheme: SimulatedScheme, status: number, message: string, heading = 'Richiesta di autenticazione non valida'): void {
  send(
    res,
    status,
    page(scheme, 'Richiesta non valida', `<h1 class="h2 mb-4">${escapeHtml(heading)}</h1>
<div class="alert alert-danger" role="alert">${escapeHtml(message)}</div>
<p>Il simulatore ha rifiutato la richiesta come farebbe un vero identity provider. Torna al servizio e riprova.</p>`),
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The IdP metadata: IDPSSODescriptor with its signing certificate and the HTTP-Redirect SSO, signed. */
export function identityProviderMetadata(idp: IdpCredentials & { ssoUrl: string; sloUrl?: string; displayName: string }): string {
  const doc = new DOMImplementation().createDocument(NS.metadata, 'md:EntityDescriptor', null);
  const root = doc.documentElement!;
  const el = elementBuilder(doc);
  root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:ds', NS.xmldsig);
  root.setAttribute('entityID', idp.entityId);
  root.setAttribute('ID', `_${randomBytes(16).toString('hex')}`);
  const sso = el(root, NS.metadata, 'md:IDPSSODescriptor', { protocolSupportEnumeration: NS.protocol, WantAuthnRequestsSigned: 'true' });
  const key = el(sso, NS.metadata, 'md:KeyDescriptor', { use: 'signing' });
  el(el(el(key, NS.xmldsig, 'ds:KeyInfo'), NS.xmldsig, 'ds:X509Data'), NS.xmldsig, 'ds:X509Certificate', {}, certificateBody(idp.certificatePem));
  // SSODescriptorType: SingleLogoutService before NameIDFormat; IDPSSODescriptorType: then SingleSignOnService
  if (idp.sloUrl) el(sso, NS.metadata, 'md:SingleLogoutService', { Binding: BINDING.redirect, Location: idp.sloUrl });
  el(sso, NS.metadata, 'md:NameIDFormat', {}, NAMEID_TRANSIENT);
  el(sso, NS.metadata, 'md:SingleSignOnService', { Binding: BINDING.redirect, Location: idp.ssoUrl });
  const org = el(root, NS.metadata, 'md:Organization');
  el(org, NS.metadata, 'md:OrganizationName', { 'xml:lang': 'it' }, idp.displayName);
  el(org, NS.metadata, 'md:OrganizationDisplayName', { 'xml:lang': 'it' }, idp.displayName);
  el(org, NS.metadata, 'md:OrganizationURL', { 'xml:lang': 'it' }, idp.ssoUrl);
  return signEnveloped(`<?xml version="1.0" encoding="UTF-8"?>\n${serializeXml(doc)}`, {
    privateKeyPem: idp.privateKeyPem,
    certificatePem: idp.certificatePem,
    referenceXpath: "/*[local-name(.)='EntityDescriptor']",
    location: { reference: "/*[local-name(.)='EntityDescriptor']", action: 'prepend' },
  });
}

export function createLocalSpidIdp(options: { seedFile: string; now?: () => Date }): LocalSpidIdp {
  const citizens = readSeedCitizens(options.seedFile);
  const byFiscalNumber = new Map(citizens.map((c) => [c.fiscalNumber, c]));
  const clock = options.now ?? (() => new Date());
  const keys: Record<SimulatedScheme, { privateKeyPem: string; certificatePem: string }> = {
    spid: generateServiceProviderCredentials('SPID IdP simulatore locale'),
    cie: generateServiceProviderCredentials('CIE IdP simulatore locale'),
  };
  const pending = new Map<string, Pending>();
  /** the IdP sessions, by SessionIndex */
  const idpSessions = new Map<string, IdpSession>();
  /** IdP-initiated LogoutRequests waiting for the SP's LogoutResponse: ID → scheme and expiry */
  const idpLogouts = new Map<string, { scheme: SimulatedScheme; expiresAt: number }>();
  let bound: { cloudUrl: string; sp: BoundServiceProvider } | undefined;

  const base = (cloudUrl: string, scheme: SimulatedScheme) => `${cloudUrl}${SPID_IDP_PREFIX}${scheme === 'cie' ? '/cie' : ''}`;
  const idpOf = (scheme: SimulatedScheme): IdpCredentials => ({ entityId: base(bound!.cloudUrl, scheme), ...keys[scheme] });
  const displayName = (scheme: SimulatedScheme) => (scheme === 'cie' ? 'CIE ID (simulatore locale)' : 'SPID (simulatore locale)');

  function prune(now: number): void {
    for (const [id, p] of pending) if (p.expiresAt <= now) pending.delete(id);
    while (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
    for (const [id, s] of idpSessions) if (Date.parse(s.expiresAt) <= now) idpSessions.delete(id);
    while (idpSessions.size >= MAX_PENDING) idpSessions.delete(idpSessions.keys().next().value!);
    for (const [id, l] of idpLogouts) if (l.expiresAt <= now) idpLogouts.delete(id);
    while (idpLogouts.size >= MAX_PENDING) idpLogouts.delete(idpLogouts.keys().next().value!);
  }

  function loginPage(id: string, p: Pending, error?: string, chosen?: string): string {
    const options = citizens
      .map(
        (c, i) => `<div class="form-check">
    <input class="form-check-input" type="radio" name="cittadino" id="cittadino-${i}" value="${escapeHtml(c.fiscalNumber)}" ${(chosen ?? citizens[0]?.fiscalNumber) === c.fiscalNumber ? 'checked' : ''} required>
    <label class="form-check-label" for="cittadino-${i}">${escapeHtml(`${c.name} ${c.familyName}`)} <span class="text-muted">(${escapeHtml(c.fiscalNumber)})</span></label>
  </div>`,
      )
      .join('\n  ');
    const body = citizens.length
      ? `<form method="post" action="${SPID_IDP_PREFIX}/accesso/${encodeURIComponent(id)}">
  <fieldset class="mb-4">
    <legend class="h5">Scegli l'identità dimostrativa</legend>
  ${options}
  </fieldset>
  <div class="form-group mb-4">
    <label for="password" class="active">Password</label>
    <input class="form-control" type="password" id="password" name="password" autocomplete="current-password" aria-describedby="password-aiuto${error ? ' errore-accesso' : ''}">
    <small id="password-aiuto" class="form-text">Password dimostrativa, uguale per tutte le identità: <strong>${escapeHtml(DEMO_PASSWORD)}</strong></small>
  </div>
  <button type="submit" name="azione" value="accedi" class="btn btn-primary me-2">Accedi</button>
  <button type="submit" name="azione" value="annulla" class="btn btn-outline-primary" formnovalidate>Annulla</button>
</form>`
      : `<p>Il file di seed non ha cittadini dimostrativi (<code>citizens</code>).</p>
<form method="post" action="${SPID_IDP_PREFIX}/accesso/${encodeURIComponent(id)}"><button type="submit" name="azione" value="annulla" class="btn btn-outline-primary">Annulla</button></form>`;
    return page(
      p.scheme,
      'Accedi',
      `<h1 class="h2 mb-3">Entra con ${SCHEME_LABEL[p.scheme]}</h1>
<p>Il servizio <strong>${escapeHtml(bound!.sp.entityId)}</strong> chiede un accesso di livello <strong>${p.level}</strong>.</p>
${error ? `<div class="alert alert-danger" role="alert" id="errore-accesso">${escapeHtml(error)}</div>` : ''}
${body}`,
    );
  }

  function consentPage(id: string, p: Pending, c: SeedCitizen): string {
    const rows: Array<[string, string | undefined]> = [
      ['Codice fiscale', c.fiscalNumber],
      ['Nome', c.name],
      ['Cognome', c.familyName],
      ['Email', p.scheme === 'cie' ? undefined : c.email],
    ];
    return page(
      p.scheme,
      'Consenso',
      `<h1 class="h2 mb-3">Consenso all'invio dei dati</h1>
<p>Il servizio <strong>${escapeHtml(bound!.sp.entityId)}</strong> riceverà questi dati:</p>
<dl class="mb-4">
${rows
  .filter(([, v]) => v !== undefined)
  .map(([k, v]) => `  <dt>${k}</dt><dd>${escapeHtml(v!)}</dd>`)
  .join('\n')}
</dl>
<form method="post" action="${SPID_IDP_PREFIX}/consenso/${encodeURIComponent(id)}">
  <button type="submit" name="azione" value="acconsenti" class="btn btn-primary me-2">Acconsenti</button>
  <button type="submit" name="azione" value="annulla" class="btn btn-outline-primary">Annulla</button>
</form>`,
    );
  }

  function postToAcs(res: ServerResponse, p: Pending, samlResponse: string): void {
    const sp = bound!.sp;
    const relay = p.relayState === undefined ? '' : `<input type="hidden" name="RelayState" value="${escapeHtml(p.relayState)}">`;
    send(
      res,
      200,
      page(
        p.scheme,
        'Ritorno al servizio',
        `<h1 class="h2 mb-3">Ritorno al servizio</h1>
<form method="post" action="${escapeHtml(sp.acsUrl)}" id="risposta-saml">
  <input type="hidden" name="SAMLResponse" value="${escapeHtml(Buffer.from(samlResponse, 'utf8').toString('base64'))}">
  ${relay}
  <p>Se il browser non prosegue da solo, premi il pulsante.</p>
  <button type="submit" class="btn btn-primary">Continua</button>
</form>
<script>document.getElementById('risposta-saml').submit();</script>`,
      ),
    );
  }

  function sso(res: ServerResponse, scheme: SimulatedScheme, rawQuery: string): void {
    const sp = bound!.sp;
    const verdict = verifyRedirectRequest(rawQuery, sp.certificatePem);
    if (!verdict.ok) {
      const why: Record<typeof verdict.problem, string> = {
        'missing-request': 'Manca il parametro SAMLRequest.',
        unsigned: 'La richiesta non è firmata (mancano SigAlg e Signature): SPID vuole AuthnRequest firmate.',
        algorithm: "L'algoritmo di firma non è RSA-SHA256.",
        'bad-signature': 'La firma della richiesta non è valida per il certificato del service provider (richiesta alterata o firmata con un altro certificato).',
        undecodable: 'SAMLRequest non è un messaggio DEFLATE + base64 leggibile.',
      };
      return errorPage(res, scheme, 400, why[verdict.problem]);
    }
    let request: Element;
    try {
      request = parseXmlStrict(verdict.xml).documentElement!;
    } catch {
      return errorPage(res, scheme, 400, 'SAMLRequest non è XML valido.');
    }
    const now = clock().getTime();
    const issuer = Array.from(request.getElementsByTagNameNS(NS.assertion, 'Issuer'))[0];
    const issueInstant = Date.parse(request.getAttribute('IssueInstant') ?? '');
    const acsUrl = request.getAttribute('AssertionConsumerServiceURL');
    const acsIndex = request.getAttribute('AssertionConsumerServiceIndex');
    const classRef = (Array.from(request.getElementsByTagNameNS(NS.assertion, 'AuthnContextClassRef'))[0]?.textContent ?? '').trim();
    const level = spidLevelOf(classRef);
    const problem =
      request.namespaceURI !== NS.protocol || request.localName !== 'AuthnRequest'
        ? 'Il messaggio non è una AuthnRequest.'
        : !/^[A-Za-z_][\w.-]{0,255}$/.test(request.getAttribute('ID') ?? '')
          ? "L'ID della richiesta manca o non è valido."
          : request.getAttribute('Version') !== '2.0'
            ? 'La versione non è 2.0.'
            : // the SSO address, or the IdP's entityID (Avviso SPID n. 11; italia/spid-sp-test authn_request.py)
              ![`${base(bound!.cloudUrl, scheme)}/sso`, base(bound!.cloudUrl, scheme)].includes(request.getAttribute('Destination') ?? '')
              ? "Destination non è il SingleSignOnService (o l'entityID) di questo identity provider."
              : (issuer?.textContent ?? '').trim() !== sp.entityId
                ? "L'Issuer non è il service provider conosciuto."
                : Number.isNaN(issueInstant) || Math.abs(issueInstant - now) > REQUEST_SKEW_MS
                  ? 'IssueInstant manca o è fuori tolleranza.'
                  : acsUrl !== null
                    ? acsUrl !== sp.acsUrl
                      ? "AssertionConsumerServiceURL non è l'ACS del service provider."
                      : request.getAttribute('ProtocolBinding') !== BINDING.post
                        ? 'ProtocolBinding non è HTTP-POST.'
                        : undefined
                    : acsIndex !== '0'
                      ? 'Manca AssertionConsumerServiceURL (o AssertionConsumerServiceIndex 0).'
                      : undefined;
    if (problem) return errorPage(res, scheme, 400, problem);
    if (!level) return errorPage(res, scheme, 400, `AuthnContextClassRef deve essere uno di ${Object.values(SPID_LEVELS).join(', ')}.`);
    prune(now);
    const id = randomBytes(18).toString('base64url');
    const p: Pending = { scheme, requestId: request.getAttribute('ID')!, relayState: verdict.relayState, level, expiresAt: now + PENDING_TTL_MS };
    pending.set(id, p);
    send(res, 200, loginPage(id, p));
  }

  function answerError(res: ServerResponse, id: string, p: Pending, code: number): void {
    pending.delete(id);
    postToAcs(res, p, buildSamlErrorResponse({ idp: idpOf(p.scheme), sp: bound!.sp, inResponseTo: p.requestId, now: clock(), errorCode: code }));
  }

  async function login(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const p = pending.get(id);
    if (!p || p.expiresAt <= clock().getTime()) return errorPage(res, 'spid', 400, 'La richiesta di accesso è scaduta: torna al servizio e riprova.');
    const form = await readForm(req);
    if (form.get('azione') === 'annulla') return answerError(res, id, p, SPID_ERROR_USER_CANCELLED);
    const chosen = form.get('cittadino') ?? '';
    const citizen = byFiscalNumber.get(chosen);
    const ok = citizen !== undefined && timingSafeEqual(hash(form.get('password') ?? ''), hash(DEMO_PASSWORD));
    if (!ok) return send(res, 401, loginPage(id, p, citizen ? 'Password non corretta.' : "Scegli un'identità.", chosen));
    p.citizen = citizen;
    send(res, 200, consentPage(id, p, citizen));
  }

  async function consent(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const p = pending.get(id);
    if (!p || !p.citizen || p.expiresAt <= clock().getTime()) return errorPage(res, 'spid', 400, 'La richiesta di accesso è scaduta: torna al servizio e riprova.');
    const form = await readForm(req);
    if (form.get('azione') !== 'acconsenti') return answerError(res, id, p, SPID_ERROR_USER_CANCELLED);
    pending.delete(id);
    const { email, ...rest } = p.citizen;
    const citizen = p.scheme === 'cie' || email === undefined ? rest : { ...rest, email };
    const now = clock();
    prune(now.getTime());
    const session: IdpSession = {
      scheme: p.scheme,
      nameId: `_${randomBytes(16).toString('hex')}`,
      sessionIndex: `_${randomBytes(16).toString('hex')}`,
      fiscalNumber: p.citizen.fiscalNumber,
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
    };
    idpSessions.set(session.sessionIndex, session);
    postToAcs(res, p, buildSamlResponse({ idp: idpOf(p.scheme), sp: bound!.sp, inResponseTo: p.requestId, now, spidLevel: p.level, citizen, session }));
  }

  const LOGOUT_HEADING = 'Richiesta di uscita non valida';
  const sloUrlOf = (scheme: SimulatedScheme) => `${base(bound!.cloudUrl, scheme)}/slo`;

  function redirectTo(res: ServerResponse, location: string): void {
    res.statusCode = 302;
    res.setHeader('location', location);
    res.setHeader('cache-control', 'no-store');
    res.setHeader('referrer-policy', 'no-referrer');
    res.end();
  }

  /** GET /slo: the SP's LogoutRequest (SP-initiated), or its LogoutResponse to ours (IdP-initiated) */
  function slo(res: ServerResponse, scheme: SimulatedScheme, rawQuery: string): void {
    const sp = bound!.sp;
    const verdict = verifyRedirectMessage(rawQuery, sp.certificatePem);
    if (!verdict.ok) {
      const why: Record<typeof verdict.problem, string> = {
        'missing-request': 'Manca il parametro SAMLRequest (o SAMLResponse).',
        unsigned: 'Il messaggio non è firmato (mancano SigAlg e Signature): SPID vuole LogoutRequest e LogoutResponse firmate.',
        algorithm: "L'algoritmo di firma non è RSA-SHA256.",
        'bad-signature': 'La firma del messaggio non è valida per il certificato del service provider (messaggio alterato o firmato con un altro certificato).',
        undecodable: 'Il messaggio non è DEFLATE + base64 leggibile.',
      };
      return errorPage(res, scheme, 400, why[verdict.problem], LOGOUT_HEADING);
    }
    let message: Element;
    try {
      message = parseXmlStrict(verdict.xml).documentElement!;
    } catch {
      return errorPage(res, scheme, 400, 'Il messaggio non è XML valido.', LOGOUT_HEADING);
    }
    const now = clock().getTime();
    prune(now);
    const first = (ns: string, name: string) => Array.from(message.getElementsByTagNameNS(ns, name))[0];
    const issuer = first(NS.assertion, 'Issuer');
    const issueInstant = Date.parse(message.getAttribute('IssueInstant') ?? '');
    const common =
      !/^[A-Za-z_][\w.-]{0,255}$/.test(message.getAttribute('ID') ?? '')
        ? "L'ID del messaggio manca o non è valido."
        : message.getAttribute('Version') !== '2.0'
          ? 'La versione non è 2.0.'
          : ![sloUrlOf(scheme), base(bound!.cloudUrl, scheme)].includes(message.getAttribute('Destination') ?? '')
            ? "Destination non è il SingleLogoutService (o l'entityID) di questo identity provider."
            : (issuer?.textContent ?? '').trim() !== sp.entityId
              ? "L'Issuer non è il service provider conosciuto."
              : issuer!.getAttribute('Format') !== 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity' || !issuer!.getAttribute('NameQualifier')
                ? "L'Issuer deve avere Format …nameid-format:entity e NameQualifier."
                : Number.isNaN(issueInstant) || Math.abs(issueInstant - now) > REQUEST_SKEW_MS
                  ? 'IssueInstant manca o è fuori tolleranza.'
                  : undefined;

    if (verdict.parameter === 'SAMLResponse') {
      // the SP's answer to an IdP-initiated LogoutRequest
      const inResponseTo = message.getAttribute('InResponseTo') ?? '';
      const waiting = idpLogouts.get(inResponseTo);
      const problem =
        message.namespaceURI !== NS.protocol || message.localName !== 'LogoutResponse'
          ? 'Il messaggio non è una LogoutResponse.'
          : (common ?? (!waiting || waiting.scheme !== scheme ? 'InResponseTo non è una richiesta di uscita di questo identity provider in attesa.' : undefined));
      if (problem) return errorPage(res, scheme, 400, problem, LOGOUT_HEADING);
      idpLogouts.delete(inResponseTo);
      const code = first(NS.protocol, 'StatusCode')?.getAttribute('Value');
      const ok = code === STATUS.success;
      return send(
        res,
        200,
        page(
          scheme,
          'Uscita',
          `<h1 class="h2 mb-3">${ok ? 'Uscita completata' : 'Uscita parziale'}</h1>
<p>${ok ? 'Il service provider ha chiuso la sessione.' : 'Il service provider non ha confermato la chiusura della sessione.'} La sessione presso l'identity provider è chiusa.</p>`,
        ),
      );
    }

    // the SP's LogoutRequest (SP-initiated)
    const nameIdEl = first(NS.assertion, 'NameID');
    const nameId = (nameIdEl?.textContent ?? '').trim();
    const sessionIndex = (first(NS.protocol, 'SessionIndex')?.textContent ?? '').trim();
    const problem =
      message.namespaceURI !== NS.protocol || message.localName !== 'LogoutRequest'
        ? 'Il messaggio non è una LogoutRequest.'
        : (common ??
          (!nameIdEl || !nameId
            ? 'Manca il NameID.'
            : nameIdEl.getAttribute('Format') !== NAMEID_TRANSIENT
              ? 'Il Format del NameID non è transient.'
              : nameIdEl.getAttribute('NameQualifier') !== base(bound!.cloudUrl, scheme)
                ? 'Il NameQualifier del NameID non è questo identity provider.'
                : !sessionIndex
                  ? 'Manca SessionIndex.'
                  : !sp.sloUrl
                    ? 'Il service provider non ha un SingleLogoutService a cui rispondere.'
                    : undefined));
    if (problem) return errorPage(res, scheme, 400, problem, LOGOUT_HEADING);
    const session = idpSessions.get(sessionIndex);
    const known = session !== undefined && session.scheme === scheme && session.nameId === nameId;
    if (known) idpSessions.delete(sessionIndex);
    const { url } = buildLogoutResponseRedirect({
      idp: idpOf(scheme),
      sp: { sloUrl: sp.sloUrl! },
      inResponseTo: message.getAttribute('ID')!,
      now: clock(),
      ...(verdict.relayState !== undefined ? { relayState: verdict.relayState } : {}),
      // SPID: a logout of a session the IdP no longer has is a partial logout
      status: known ? 'Success' : 'PartialLogout',
    });
    redirectTo(res, url);
  }

  function idpInitiatedLogout(
    session: { scheme?: SimulatedScheme; nameId: string; sessionIndex?: string },
    options: { relayState?: string; now?: Date } = {},
  ): { url: string; requestId: string } {
    if (!bound) throw new Error('the simulator is not bound to a service provider yet');
    const sp = bound.sp;
    if (!sp.sloUrl) throw new Error('the bound service provider has no sloUrl');
    const scheme = session.scheme ?? 'spid';
    const now = options.now ?? clock();
    prune(now.getTime());
    const { url, requestId } = buildIdpLogoutRequestRedirect({
      idp: idpOf(scheme),
      sp: { sloUrl: sp.sloUrl },
      nameId: session.nameId,
      ...(session.sessionIndex ? { sessionIndex: session.sessionIndex } : {}),
      now,
      ...(options.relayState !== undefined ? { relayState: options.relayState } : {}),
    });
    if (session.sessionIndex) idpSessions.delete(session.sessionIndex);
    idpLogouts.set(requestId, { scheme, expiresAt: now.getTime() + PENDING_TTL_MS });
    return { url, requestId };
  }

  /** GET /esci: the IdP's open sessions of this scheme, each with its "Esci" (IdP-initiated logout) */
  function sessionsPage(res: ServerResponse, scheme: SimulatedScheme): void {
    prune(clock().getTime());
    const open = [...idpSessions.values()].filter((s) => s.scheme === scheme);
    const action = `${SPID_IDP_PREFIX}${scheme === 'cie' ? '/cie' : ''}/esci`;
    const rows = open
      .map((s) => {
        const c = byFiscalNumber.get(s.fiscalNumber);
        return `<li class="mb-2"><form method="post" action="${action}" class="d-inline">
  <input type="hidden" name="sessione" value="${escapeHtml(s.sessionIndex)}">
  ${escapeHtml(c ? `${c.name} ${c.familyName}` : s.fiscalNumber)} <button type="submit" class="btn btn-sm btn-outline-primary ms-2">Esci da tutti i servizi</button>
</form></li>`;
      })
      .join('\n');
    send(
      res,
      200,
      page(
        scheme,
        'Sessioni',
        `<h1 class="h2 mb-3">Sessioni aperte presso l'identity provider</h1>
${open.length ? `<ul class="list-unstyled">\n${rows}\n</ul>` : '<p>Nessuna sessione aperta.</p>'}`,
      ),
    );
  }

  async function logoutFromIdp(req: IncomingMessage, res: ServerResponse, scheme: SimulatedScheme): Promise<void> {
    const form = await readForm(req);
    const session = idpSessions.get(form.get('sessione') ?? '');
    if (!session || session.scheme !== scheme) return errorPage(res, scheme, 400, 'La sessione non è aperta (o è già chiusa).', LOGOUT_HEADING);
    if (!bound!.sp.sloUrl) return errorPage(res, scheme, 400, 'Il service provider non ha un SingleLogoutService.', LOGOUT_HEADING);
    redirectTo(res, idpInitiatedLogout(session).url);
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const m = /^(\/cie)?\/(metadata|sso|slo|esci)$/.exec(path);
    const scheme: SimulatedScheme = m?.[1] ? 'cie' : 'spid';
    if (!bound) return send(res, 503, page(scheme, 'Non pronto', '<h1 class="h2">Il simulatore non è ancora pronto</h1>'));
    if (m && req.method === 'GET') {
      if (m[2] === 'metadata') {
        const idp = idpOf(scheme);
        return send(
          res,
          200,
          identityProviderMetadata({ ...idp, ssoUrl: `${idp.entityId}/sso`, sloUrl: `${idp.entityId}/slo`, displayName: displayName(scheme) }),
          'application/samlmetadata+xml; charset=utf-8',
        );
      }
      if (m[2] === 'slo') return slo(res, scheme, rawQuery);
      if (m[2] === 'esci') return sessionsPage(res, scheme);
      return sso(res, scheme, rawQuery);
    }
    if (m && m[2] === 'esci' && req.method === 'POST') {
      logoutFromIdp(req, res, scheme).catch(() => {
        if (!res.headersSent) errorPage(res, scheme, 400, 'Richiesta non leggibile.', LOGOUT_HEADING);
      });
      return;
    }
    const step = /^\/(accesso|consenso)\/([A-Za-z0-9_-]{1,64})$/.exec(path);
    if (step && req.method === 'POST') {
      (step[1] === 'accesso' ? login : consent)(req, res, step[2]!).catch(() => {
        if (!res.headersSent) errorPage(res, 'spid', 400, 'Richiesta non leggibile.');
      });
      return;
    }
    send(res, 404, page(scheme, 'Non trovato', '<h1 class="h2">Pagina non trovata</h1>'));
  };

  return {
    citizens,
    mounts: [{ prefix: SPID_IDP_PREFIX, listener }],
    metadataUrl: (cloudUrl, scheme = 'spid') => `${base(cloudUrl, scheme)}/metadata`,
    entityId: (cloudUrl, scheme = 'spid') => base(cloudUrl, scheme),
    bind(cloudUrl, sp) {
      bound = { cloudUrl: cloudUrl.replace(/\/+$/, ''), sp };
    },
    credentials: (scheme = 'spid') => keys[scheme],
    sessions(scheme) {
      prune(clock().getTime());
      return [...idpSessions.values()].filter((s) => scheme === undefined || s.scheme === scheme);
    },
    idpInitiatedLogout,
  };
}

/**
 * SPID Single Logout (SAML 2 Single Logout Profile, HTTP-Redirect binding), both ways:
 *
 *   SP-initiated   logoutRequestRedirect → the IdP's SingleLogoutService; verifyLogoutResponse on its answer
 *   IdP-initiated  verifyLogoutRequest on the IdP's request; logoutResponseRedirect → back to the IdP
 *
 * The messages are those of the SPID technical rules (italia/spid-regole-tecniche@1dd4757:
 * single-logout.rst, "LogoutRequest" and "LogoutResponse"): ID, Version 2.0, IssueInstant in UTC,
 * Destination; an Issuer = the entityID with Format …nameid-format:entity and NameQualifier; in a
 * LogoutRequest the NameID (Format transient, NameQualifier = the IdP that asserted it) and the
 * SessionIndex of the session; in a LogoutResponse InResponseTo and a Status — Success, or
 * Requester + PartialLogout when the IdP could not close every session of the global session
 * (which still closes the IdP's own session and the requesting SP's, so it is "done" for us).
 * The LogoutResponse shape is the one AgID's SP test suite sends (italia/spid-saml-check@6052397:
 * src/test/logout-1.xml, case "test-logout" of italia/spid-sp-test@04b41a0:
 * src/spid_sp_test/responses/settings.py).
 *
 * HTTP-Redirect binding (SAML Bindings §3.4.4.1): the XML is DEFLATE-compressed and base64-encoded
 * in SAMLRequest / SAMLResponse, and signed in the query string: RSA-SHA256 over the octets
 * `SAMLRequest=…&RelayState=…&SigAlg=…` as URL-encoded (the SPID rules ask for an RSA key of at
 * least 2048 bits and SHA-256 or stronger), the same way node-saml signs the AuthnRequest. The
 * receiving side verifies the octets as they arrived: hand the raw query string in when you have
 * it (API Gateway's `rawQueryString`); a URLSearchParams is re-encoded the ways senders encode.
 *
 * The XML is read with the hardened parser (no DTD, size limits) and only after the DEFLATE
 * output is bounded. Refusals are SamlResponseRejected with English messages that carry no
 * personal data (no NameID, no SessionIndex).
 */
import { createSign, createVerify, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DOMImplementation, type Element } from '@xmldom/xmldom';
import { samlInstant } from './authn-request';
import { ALGORITHMS, NAMEID_ENTITY, NAMEID_TRANSIENT, NS, STATUS } from './constants';
import { SamlResponseRejected, type IdentityProvider, type SamlRejectionReason, type ServiceProvider } from './types';
import { certificatePem, child, children, elementBuilder, parseXmlStrict, serializeXml, textOf, utcInstant, XmlRejected, type Document } from './xml';

const reject = (reason: SamlRejectionReason, message: string): never => {
  throw new SamlResponseRejected(reason, message);
};

// ---- HTTP-Redirect binding -------------------------------------------------------------------

/** the query-string signature algorithms accepted from an IdP (SHA-256 or stronger, RSA) → node's name */
export const REDIRECT_SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  [ALGORITHMS.rsaSha256]: 'RSA-SHA256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': 'RSA-SHA384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': 'RSA-SHA512',
};

/** SAML Bindings §3.4.3: RelayState MUST NOT exceed 80 bytes */
const MAX_RELAY_STATE_BYTES = 80;
const MAX_ENCODED_MESSAGE_CHARS = 100_000;
const MAX_INFLATED_BYTES = 256 * 1024;

/**
 * The URL of `target` carrying `xml` in the HTTP-Redirect binding, signed RSA-SHA256 with
 * `privateKeyPem`: `SAMLRequest|SAMLResponse=…[&RelayState=…]&SigAlg=…&Signature=…`, each value
 * encoded with encodeURIComponent; the signature is over exactly the octets put in the URL.
 */
export function signedRedirectUrl(
  target: string,
  message: { readonly parameter: 'SAMLRequest' | 'SAMLResponse'; readonly xml: string; readonly relayState?: string },
  privateKeyPem: string,
): string {
  const { parameter, xml, relayState } = message;
  if (relayState !== undefined && Buffer.byteLength(relayState, 'utf8') > MAX_RELAY_STATE_BYTES) {
    throw new TypeError(`RelayState is longer than ${MAX_RELAY_STATE_BYTES} bytes`);
  }
  const parts = [`${parameter}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`];
  if (relayState !== undefined && relayState !== '') parts.push(`RelayState=${encodeURIComponent(relayState)}`);
  parts.push(`SigAlg=${encodeURIComponent(ALGORITHMS.rsaSha256)}`);
  const signed = parts.join('&');
  const signature = createSign('RSA-SHA256').update(signed, 'utf8').sign(privateKeyPem, 'base64');
  return `${target}${target.includes('?') ? '&' : '?'}${signed}&Signature=${encodeURIComponent(signature)}`;
}

/** A message of the HTTP-Redirect binding as received: its XML, and whether it carried a valid signature. */
interface ReceivedRedirect {
  readonly parameter: 'SAMLRequest' | 'SAMLResponse';
  readonly xml: string;
  readonly relayState: string | undefined;
  readonly sigAlg: string | undefined;
  readonly signature: string | undefined;
  /** the octets the signature may cover (one when the raw query is known) */
  readonly signedOctets: readonly string[];
}

const SAML_PARAMETERS = ['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature'] as const;
type SamlParameter = (typeof SAML_PARAMETERS)[number];

/** form encoding (as URLSearchParams writes it: space as '+') and strict RFC 3986 — the ways senders encode besides encodeURIComponent */
const ENCODERS: ReadonlyArray<(value: string) => string> = [
  encodeURIComponent,
  (value) => new URLSearchParams({ v: value }).toString().slice(2),
  (value) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
];

function readRedirect(query: string | URLSearchParams): ReceivedRedirect {
  const decoded = new Map<SamlParameter, string>();
  const raw = new Map<SamlParameter, string>();
  if (typeof query === 'string') {
    const q = query.startsWith('?') ? query.slice(1) : query;
    if (q.length > 2 * MAX_ENCODED_MESSAGE_CHARS) reject('malformed', 'the query string is too long');
    for (const part of q.split('&')) {
      const i = part.indexOf('=');
      const key = (i < 0 ? part : part.slice(0, i)) as SamlParameter;
      if (!SAML_PARAMETERS.includes(key)) continue;
      if (raw.has(key)) reject('malformed', `the query string carries ${key} more than once`);
      const value = i < 0 ? '' : part.slice(i + 1);
      raw.set(key, value);
      try {
        decoded.set(key, decodeURIComponent(value.replace(/\+/g, ' ')));
      } catch {
        reject('malformed', `${key} is not URL-encoded`);
      }
    }
  } else {
    for (const key of SAML_PARAMETERS) {
      const values = query.getAll(key);
      if (values.length > 1) reject('malformed', `the query string carries ${key} more than once`);
      if (values.length === 1) decoded.set(key, values[0]!);
    }
  }
  const hasRequest = decoded.has('SAMLRequest');
  if (hasRequest === decoded.has('SAMLResponse')) reject('malformed', 'the query string must carry one of SAMLRequest and SAMLResponse');
  const parameter = hasRequest ? 'SAMLRequest' : 'SAMLResponse';
  // base64 travels with '+': a '+' left unencoded arrives as a space
  const payload = decoded.get(parameter)!.replace(/ /g, '+').replace(/\s+/g, '');
  if (payload === '' || payload.length > MAX_ENCODED_MESSAGE_CHARS || !/^[A-Za-z0-9+/]+={0,2}$/.test(payload)) reject('malformed', `${parameter} is not base64`);
  let xml: string;
  try {
    xml = inflateRawSync(Buffer.from(payload, 'base64'), { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
  } catch {
    return reject('malformed', `${parameter} is not a DEFLATE-compressed message (or is too large)`);
  }

  const order: SamlParameter[] = [parameter, 'RelayState', 'SigAlg'];
  let signedOctets: string[];
  if (typeof query === 'string') {
    signedOctets = [order.filter((k) => raw.has(k)).map((k) => `${k}=${raw.get(k)}`).join('&')];
  } else {
    signedOctets = [...new Set(ENCODERS.map((encode) => order.filter((k) => decoded.has(k)).map((k) => `${k}=${encode(decoded.get(k)!)}`).join('&')))];
  }
  const signature = decoded.get('Signature')?.replace(/ /g, '+');
  return { parameter, xml, relayState: decoded.get('RelayState'), sigAlg: decoded.get('SigAlg'), signature, signedOctets };
}

/** the query-string signature, verified with one of the IdP's signing certificates */
function checkRedirectSignature(received: ReceivedRedirect, idp: IdentityProvider): void {
  if (!received.signature || !received.sigAlg) reject('unsigned', `the ${received.parameter} is not signed (no SigAlg and Signature)`);
  const algorithm = REDIRECT_SIGNATURE_ALGORITHMS[received.sigAlg!];
  if (!algorithm) reject('bad-signature', 'the signature algorithm is not accepted (RSA with SHA-256 or stronger)');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(received.signature!)) reject('bad-signature', 'the Signature is not base64');
  for (const octets of received.signedOctets) {
    for (const cert of idp.signingCertificates) {
      try {
        if (createVerify(algorithm!).update(octets, 'utf8').verify(certificatePem(cert), received.signature!, 'base64')) return;
      } catch {
        // try the next certificate
      }
    }
  }
  reject('bad-signature', "the signature does not verify with the identity provider's certificates");
}

// ---- the XML ---------------------------------------------------------------------------------

function parse(xml: string, what: string): Document {
  try {
    return parseXmlStrict(xml, MAX_INFLATED_BYTES);
  } catch (error) {
    return reject('malformed', error instanceof XmlRejected ? error.message : `the ${what} is not XML`);
  }
}

function rootOf(doc: Document, localName: 'LogoutRequest' | 'LogoutResponse'): Element {
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.protocol || root.localName !== localName) reject('malformed', `the root element is not samlp:${localName}`);
  return root;
}

/** the one Issuer's value; Format omitted or entity */
function issuerOf(root: Element, what: string): string {
  const issuers = children(root, NS.assertion, 'Issuer');
  if (issuers.length !== 1) reject('wrong-issuer', `${what} must have one Issuer`);
  const format = issuers[0]!.getAttribute('Format');
  if (format && format !== NAMEID_ENTITY) reject('wrong-issuer', `${what} Issuer Format is not ${NAMEID_ENTITY}`);
  const value = textOf(issuers[0]);
  if (!value) reject('wrong-issuer', `${what} Issuer is empty`);
  return value;
}

/** ID (an xs:ID of sane length), Version 2.0, IssueInstant a UTC instant, not in the future, not older than maxAge (nor the request) */
function mainAttributes(root: Element, what: string, nowMs: number, skewMs: number, maxAgeMs: number, notBeforeMs?: number): { id: string; issueInstant: string } {
  const id = root.getAttribute('ID') ?? '';
  if (!/^[A-Za-z_][\w.-]{0,255}$/.test(id)) reject('malformed', `${what} ID is missing or not an xs:ID`);
  if (root.getAttribute('Version') !== '2.0') reject('malformed', `${what} Version is not 2.0`);
  const issueInstant = root.getAttribute('IssueInstant') ?? '';
  const issued = utcInstant(issueInstant);
  if (issued === undefined) return reject('malformed', `${what} IssueInstant is missing or not a UTC instant`);
  if (issued > nowMs + skewMs) reject('not-yet-valid', `${what} IssueInstant is in the future`);
  if (issued < nowMs - maxAgeMs - skewMs) reject('expired', `${what} is too old (IssueInstant)`);
  if (notBeforeMs !== undefined && issued < notBeforeMs - skewMs) reject('in-response-to', `${what} IssueInstant is before the request's`);
  return { id, issueInstant };
}

function sloUrlOf(sp: ServiceProvider): string {
  if (!sp.sloUrl) throw new TypeError('the service provider has no sloUrl (SingleLogoutService)');
  return sp.sloUrl;
}

const newId = () => `_${randomBytes(20).toString('hex')}`;

function protocolMessage(qname: 'samlp:LogoutRequest' | 'samlp:LogoutResponse', attributes: Record<string, string>, issuer: string) {
  const doc = new DOMImplementation().createDocument(NS.protocol, qname, null);
  const root = doc.documentElement!;
  root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:saml', NS.assertion);
  for (const [k, v] of Object.entries(attributes)) root.setAttribute(k, v);
  const el = elementBuilder(doc);
  // the Issuer as SPID wants it in every message: the entityID, Format entity, NameQualifier
  el(root, NS.assertion, 'saml:Issuer', { Format: NAMEID_ENTITY, NameQualifier: issuer }, issuer);
  return { doc, root, el };
}

// ---- SP-initiated: our LogoutRequest, the IdP's LogoutResponse -------------------------------

export interface LogoutRequestRedirect {
  /** the IdP's SingleLogoutService with SAMLRequest, RelayState, SigAlg and Signature */
  readonly url: string;
  /** the LogoutRequest's ID: the LogoutResponse's InResponseTo must be it (keep it with the RelayState, use it once) */
  readonly requestId: string;
  /** ISO-8601 UTC: its IssueInstant */
  readonly issueInstant: string;
}

/**
 * The SPID LogoutRequest for a citizen's session, signed in the HTTP-Redirect binding, to the
 * IdP's SingleLogoutService (HTTP-Redirect). `nameId` and `sessionIndex` are those of the
 * Assertion the session was opened with (CitizenIdentity.nameId / .sessionIndex);
 * `nameQualifier` that NameID's NameQualifier, the IdP's entityID when not given.
 * Throws (Error) when the IdP publishes no HTTP-Redirect SingleLogoutService.
 */
export async function logoutRequestRedirect(
  sp: ServiceProvider,
  idp: IdentityProvider,
  options: { nameId: string; nameQualifier?: string; sessionIndex?: string; relayState: string; now: Date },
): Promise<LogoutRequestRedirect> {
  if (!idp.sloRedirectUrl) throw new Error(`the identity provider ${idp.entityId} has no HTTP-Redirect SingleLogoutService`);
  if (!options.nameId) throw new TypeError('nameId is required');
  const requestId = newId();
  const issueInstant = samlInstant(options.now);
  const { doc, root, el } = protocolMessage(
    'samlp:LogoutRequest',
    { ID: requestId, Version: '2.0', IssueInstant: issueInstant, Destination: idp.sloRedirectUrl },
    sp.entityId,
  );
  el(root, NS.assertion, 'saml:NameID', { Format: NAMEID_TRANSIENT, NameQualifier: options.nameQualifier ?? idp.entityId }, options.nameId);
  if (options.sessionIndex) el(root, NS.protocol, 'samlp:SessionIndex', {}, options.sessionIndex);
  const url = signedRedirectUrl(idp.sloRedirectUrl, { parameter: 'SAMLRequest', xml: serializeXml(doc), relayState: options.relayState }, sp.privateKeyPem);
  return { url, requestId, issueInstant };
}

export interface ExpectedLogoutResponse {
  /** the LogoutRequest's ID */
  readonly requestId: string;
  /** the IdP the LogoutRequest was sent to */
  readonly idpEntityId: string;
  /** ISO-8601 UTC: the LogoutRequest's IssueInstant (the answer must not be older) */
  readonly issuedAt?: string;
}

export interface VerifiedLogoutResponse {
  readonly ok: true;
  /** the IdP answered PartialLogout: its session and ours are closed, some other SP's may not be */
  readonly partial: boolean;
  readonly relayState?: string;
}

/**
 * Verifies the IdP's LogoutResponse at our SingleLogoutService (HTTP-Redirect binding): the
 * query-string signature with the IdP's certificates, the Issuer, Destination = sp.sloUrl,
 * InResponseTo = our LogoutRequest, IssueInstant (not in the future, at most `maxAgeSeconds`
 * old, not before the request), and the Status: Success, or PartialLogout (SPID: Requester +
 * PartialLogout), which is "done" as well. Any other status, and every failed check, throws
 * SamlResponseRejected ('logout-failed' for a status the IdP refused with). `query` is the raw
 * query string (preferred) or its URLSearchParams.
 */
export function verifyLogoutResponse(
  sp: ServiceProvider,
  idpOf: (entityId: string) => IdentityProvider | undefined,
  input: { query: string | URLSearchParams; expected: ExpectedLogoutResponse; now: Date; clockSkewSeconds?: number; maxAgeSeconds?: number },
): VerifiedLogoutResponse {
  const sloUrl = sloUrlOf(sp);
  const nowMs = input.now.getTime();
  const skewMs = (input.clockSkewSeconds ?? 30) * 1000;
  const maxAgeMs = (input.maxAgeSeconds ?? 600) * 1000;
  const { expected } = input;
  const requestIssuedMs = expected.issuedAt === undefined ? undefined : Date.parse(expected.issuedAt);
  if (requestIssuedMs !== undefined && Number.isNaN(requestIssuedMs)) throw new TypeError('expected.issuedAt is not an instant');

  const received = readRedirect(input.query);
  if (received.parameter !== 'SAMLResponse') reject('malformed', 'a LogoutResponse was expected (SAMLResponse), not a request');
  const idp = idpOf(expected.idpEntityId);
  if (!idp || idp.entityId !== expected.idpEntityId) return reject('wrong-issuer', 'the identity provider is not known');
  checkRedirectSignature(received, idp);

  const response = rootOf(parse(received.xml, 'LogoutResponse'), 'LogoutResponse');
  mainAttributes(response, 'LogoutResponse', nowMs, skewMs, maxAgeMs, requestIssuedMs);
  if (issuerOf(response, 'LogoutResponse') !== expected.idpEntityId) reject('wrong-issuer', 'LogoutResponse Issuer is not the identity provider the request was sent to');
  if (response.getAttribute('Destination') !== sloUrl) reject('wrong-destination', 'LogoutResponse Destination is not our SingleLogoutService');
  if (response.getAttribute('InResponseTo') !== expected.requestId) reject('in-response-to', 'LogoutResponse InResponseTo is not the request sent');

  const status = child(response, NS.protocol, 'Status');
  const code = status && child(status, NS.protocol, 'StatusCode');
  const value = code?.getAttribute('Value');
  if (!code || !value) return reject('malformed', 'LogoutResponse has no Status/StatusCode');
  const sub = child(code, NS.protocol, 'StatusCode')?.getAttribute('Value') ?? undefined;
  if (value === STATUS.success) return { ok: true, partial: false, ...(received.relayState !== undefined ? { relayState: received.relayState } : {}) };
  if (sub === STATUS.partialLogout) return { ok: true, partial: true, ...(received.relayState !== undefined ? { relayState: received.relayState } : {}) };
  const short = (v: string) => v.replace(/^.*:/, '').slice(0, 64);
  return reject('logout-failed', `the identity provider answered ${short(value)}${sub ? `/${short(sub)}` : ''} to the logout`);
}

// ---- IdP-initiated: the IdP's LogoutRequest, our LogoutResponse ------------------------------

export interface VerifiedLogoutRequest {
  /** the IdP that asks (the Issuer, signature verified) */
  readonly idpEntityId: string;
  /** its ID: our LogoutResponse's InResponseTo */
  readonly requestId: string;
  /** the NameID of the session to close (the Assertion's) */
  readonly nameId: string;
  readonly nameQualifier?: string;
  /** the first SessionIndex (SPID sends one) */
  readonly sessionIndex?: string;
  readonly sessionIndexes: readonly string[];
  /** to send back with the LogoutResponse */
  readonly relayState?: string;
  readonly issueInstant: string;
}

/**
 * Verifies a LogoutRequest an IdP sends to our SingleLogoutService (HTTP-Redirect binding,
 * IdP-initiated logout): the IdP named by its Issuer must be known (`idpOf`) and the
 * query-string signature verify with its certificates; Destination = sp.sloUrl; ID, Version,
 * IssueInstant (not in the future, at most `maxAgeSeconds` old), NotOnOrAfter when present;
 * one NameID (transient when its Format is given; EncryptedID and BaseID are not accepted) and
 * the SessionIndexes. Close the citizen's sessions of that IdP with that NameID (and
 * SessionIndex), then answer with logoutResponseRedirect — Success also when there was none
 * (SPID: "sessioni mai instaurate o già chiuse"). Throws SamlResponseRejected.
 */
export function verifyLogoutRequest(
  sp: ServiceProvider,
  idpOf: (entityId: string) => IdentityProvider | undefined,
  input: { query: string | URLSearchParams; now: Date; clockSkewSeconds?: number; maxAgeSeconds?: number },
): VerifiedLogoutRequest {
  const sloUrl = sloUrlOf(sp);
  const nowMs = input.now.getTime();
  const skewMs = (input.clockSkewSeconds ?? 30) * 1000;
  const maxAgeMs = (input.maxAgeSeconds ?? 300) * 1000;

  const received = readRedirect(input.query);
  if (received.parameter !== 'SAMLRequest') reject('malformed', 'a LogoutRequest was expected (SAMLRequest), not a response');
  // it goes back with our LogoutResponse, which may not carry more (SAML Bindings §3.4.3)
  if (received.relayState !== undefined && Buffer.byteLength(received.relayState, 'utf8') > MAX_RELAY_STATE_BYTES) reject('malformed', 'RelayState is longer than 80 bytes');
  // the Issuer names the IdP whose certificates the signature must verify with; nothing else is read before
  const request = rootOf(parse(received.xml, 'LogoutRequest'), 'LogoutRequest');
  const issuer = issuerOf(request, 'LogoutRequest');
  const idp = idpOf(issuer);
  if (!idp || idp.entityId !== issuer) return reject('wrong-issuer', 'LogoutRequest Issuer is not a trusted identity provider');
  checkRedirectSignature(received, idp);

  const { id, issueInstant } = mainAttributes(request, 'LogoutRequest', nowMs, skewMs, maxAgeMs);
  if (request.getAttribute('Destination') !== sloUrl) reject('wrong-destination', 'LogoutRequest Destination is not our SingleLogoutService');
  const notOnOrAfterAttr = request.getAttribute('NotOnOrAfter');
  if (notOnOrAfterAttr) {
    const notOnOrAfter = utcInstant(notOnOrAfterAttr);
    if (notOnOrAfter === undefined) reject('malformed', 'LogoutRequest NotOnOrAfter is not a UTC instant');
    if (notOnOrAfter! <= nowMs - skewMs) reject('expired', 'the LogoutRequest has expired (NotOnOrAfter)');
  }
  if (child(request, NS.assertion, 'EncryptedID') || child(request, NS.assertion, 'BaseID')) reject('malformed', 'LogoutRequest EncryptedID / BaseID is not accepted');
  const nameIds = children(request, NS.assertion, 'NameID');
  if (nameIds.length !== 1) reject('malformed', 'LogoutRequest must have one NameID');
  const nameIdEl = nameIds[0]!;
  const nameId = textOf(nameIdEl);
  if (!nameId) reject('malformed', 'LogoutRequest NameID is empty');
  const format = nameIdEl.getAttribute('Format');
  if (format && format !== NAMEID_TRANSIENT) reject('malformed', 'LogoutRequest NameID Format is not transient');
  const nameQualifier = nameIdEl.getAttribute('NameQualifier') || undefined;
  const sessionIndexes = children(request, NS.protocol, 'SessionIndex').map(textOf).filter((s) => s !== '');
  return {
    idpEntityId: idp.entityId,
    requestId: id,
    nameId,
    ...(nameQualifier ? { nameQualifier } : {}),
    ...(sessionIndexes[0] ? { sessionIndex: sessionIndexes[0] } : {}),
    sessionIndexes,
    ...(received.relayState !== undefined ? { relayState: received.relayState } : {}),
    issueInstant,
  };
}

/**
 * Our LogoutResponse to an IdP-initiated LogoutRequest, signed in the HTTP-Redirect binding, to
 * the IdP's SingleLogoutService (its ResponseLocation when it publishes one). `status`: Success
 * (the default: our sessions for it are closed, or there were none), or PartialLogout
 * (Requester + PartialLogout) when some could not be closed.
 */
export function logoutResponseRedirect(
  sp: ServiceProvider,
  idp: IdentityProvider,
  options: { inResponseTo: string; relayState?: string; now: Date; status?: 'Success' | 'PartialLogout' },
): { readonly url: string; readonly responseId: string } {
  const destination = idp.sloResponseRedirectUrl ?? idp.sloRedirectUrl;
  if (!destination) throw new Error(`the identity provider ${idp.entityId} has no HTTP-Redirect SingleLogoutService`);
  const responseId = newId();
  const { doc, root, el } = protocolMessage(
    'samlp:LogoutResponse',
    { ID: responseId, Version: '2.0', IssueInstant: samlInstant(options.now), Destination: destination, InResponseTo: options.inResponseTo },
    sp.entityId,
  );
  const status = el(root, NS.protocol, 'samlp:Status');
  if ((options.status ?? 'Success') === 'Success') el(status, NS.protocol, 'samlp:StatusCode', { Value: STATUS.success });
  else el(el(status, NS.protocol, 'samlp:StatusCode', { Value: STATUS.requester }), NS.protocol, 'samlp:StatusCode', { Value: STATUS.partialLogout });
  const url = signedRedirectUrl(
    destination,
    { parameter: 'SAMLResponse', xml: serializeXml(doc), ...(options.relayState !== undefined ? { relayState: options.relayState } : {}) },
    sp.privateKeyPem,
  );
  return { url, responseId };
}

/** Which SAML message a request to the SingleLogoutService carries: the IdP's answer to ours, or its own request. */
export function sloMessageKind(query: string | URLSearchParams): 'LogoutResponse' | 'LogoutRequest' | undefined {
  const has = (key: string) => (typeof query === 'string' ? new RegExp(`(?:^|[?&])${key}=`).test(query) : query.has(key));
  const request = has('SAMLRequest');
  const response = has('SAMLResponse');
  if (request === response) return undefined;
  return request ? 'LogoutRequest' : 'LogoutResponse';
}

/**
 * Verifying an IdP's SAML Response at the Assertion Consumer Service (HTTP-POST binding).
 *
 * The signatures are node-saml's (@node-saml/node-saml validatePostResponseAsync, which verifies
 * with xml-crypto and hands back only the XML its signature covers — the defence against
 * signature wrapping). Around it, the checks pagoPA's SP library makes on a SPID Response
 * (pagopa/io-spid-commons@1a53850:src/utils/saml.ts getPreValidateResponse and
 * src/utils/samlUtils.ts mainAttributeValidation, assertionValidation, validateIssuer,
 * transformsValidation, notSignedWithHmacPredicate), which are the cases AgID's SP test suite
 * plays (italia/spid-sp-test@04b41a0:src/spid_sp_test/responses/settings.py): one Response and one
 * Assertion, Version 2.0, ID and IssueInstant, Destination and Recipient = our ACS, InResponseTo =
 * our request in the Response and in SubjectConfirmationData, Status Success (an error status
 * carries the SPID ErrorCode), Issuer = the IdP with Format entity, the Assertion signed (never
 * HMAC, at most 4 Transforms), NameID transient with a NameQualifier, SubjectConfirmation bearer,
 * NotBefore / NotOnOrAfter, Audience = our entityID, AuthnContextClassRef at least the level asked,
 * the attributes asked for present. The clock is the `now` handed in, with a small skew.
 */
import { SAML } from '@node-saml/node-saml';
import { validateCodiceFiscale } from '../../domain/fiscal-code';
import type { CitizenIdentity } from '../../use-cases/citizens/ports';
import { nodeSamlConfig } from './authn-request';
import {
  ACCEPTED_SIGNATURE_ALGORITHMS,
  CM_BEARER,
  LEVEL_RANK,
  NAMEID_ENTITY,
  NAMEID_TRANSIENT,
  NS,
  STATUS,
  spidLevelOf,
  type SpidLevel,
} from './constants';
import { SamlResponseRejected, type IdentityProvider, type SamlRejectionReason, type ServiceProvider } from './types';
import { child, children, descendants, parseXmlStrict, textOf, utcInstant, XmlRejected, type Document, type Element } from './xml';

export interface ExpectedResponse {
  /** the AuthnRequest's ID */
  readonly requestId: string;
  /** the IdP the request was sent to */
  readonly idpEntityId: string;
  /** ISO-8601 UTC: the AuthnRequest's IssueInstant */
  readonly issuedAt: string;
  /** the level asked for; the SP's level when absent */
  readonly spidLevel?: SpidLevel;
}

const reject = (reason: SamlRejectionReason, message: string, spidErrorCode?: string): never => {
  throw new SamlResponseRejected(reason, message, spidErrorCode);
};

function mustBeAttr(e: Element, name: string, what: string): string {
  const v = e.getAttribute(name);
  if (!v || !v.trim()) reject('malformed', `${what} has no ${name}`);
  return v!;
}

/** ID, Version 2.0 and IssueInstant (a UTC instant, not in the future, not before the request) of a Response or Assertion */
function mainAttributes(e: Element, what: string, nowMs: number, skewMs: number, requestIssuedMs: number): void {
  mustBeAttr(e, 'ID', what);
  if (e.getAttribute('Version') !== '2.0') reject('malformed', `${what} Version is not 2.0`);
  const issued = utcInstant(e.getAttribute('IssueInstant'));
  if (issued === undefined) reject('malformed', `${what} IssueInstant is missing or not a UTC instant`);
  if (issued! > nowMs + skewMs) reject('not-yet-valid', `${what} IssueInstant is in the future`);
  if (issued! < requestIssuedMs - skewMs) reject('in-response-to', `${what} IssueInstant is before the request's`);
}

function checkIssuer(parent: Element, what: string, idpEntityId: string, formatRequired: boolean): void {
  const issuers = children(parent, NS.assertion, 'Issuer');
  if (issuers.length !== 1) reject('wrong-issuer', `${what} must have one Issuer`);
  const issuer = issuers[0]!;
  if (textOf(issuer) !== idpEntityId) reject('wrong-issuer', `${what} Issuer is not the identity provider the request was sent to`);
  const format = issuer.getAttribute('Format');
  // Response: Format omitted or entity; Assertion: Format entity (spid-sp-test cases 30, 31, 70-72)
  if (format ? format !== NAMEID_ENTITY : formatRequired) reject('wrong-issuer', `${what} Issuer Format is not ${NAMEID_ENTITY}`);
}

function signatureOf(e: Element): Element | undefined {
  const sigs = children(e, NS.xmldsig, 'Signature');
  if (sigs.length > 1) reject('bad-signature', 'more than one Signature on one element');
  return sigs[0];
}

/** SignatureMethod RSA/ECDSA SHA-256 or stronger (never HMAC), at most 4 Transforms per signature (io-spid-commons transformsValidation) */
function checkSignatureShape(doc: Document): void {
  for (const method of descendants(doc, NS.xmldsig, 'SignatureMethod')) {
    if (!ACCEPTED_SIGNATURE_ALGORITHMS.has(method.getAttribute('Algorithm') ?? '')) {
      reject('bad-signature', `signature algorithm ${method.getAttribute('Algorithm') ?? '(none)'} is not accepted`);
    }
  }
  for (const sig of descendants(doc, NS.xmldsig, 'Signature')) {
    if (descendants(sig, NS.xmldsig, 'Transform').length > 4) reject('malformed', 'a signature has more than 4 Transforms');
  }
}

function spidErrorCodeOf(status: Element): string | undefined {
  const m = /ErrorCode nr\s*(\d{1,3})/i.exec(textOf(child(status, NS.protocol, 'StatusMessage')));
  return m ? m[1] : undefined;
}

function attributeValues(statement: Element): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const attribute of children(statement, NS.assertion, 'Attribute')) {
    const name = attribute.getAttribute('Name') ?? '';
    const values = children(attribute, NS.assertion, 'AttributeValue').map(textOf).filter((v) => v !== '');
    if (name && values.length > 0) out.set(name, [...(out.get(name) ?? []), ...values]);
  }
  return out;
}

/**
 * Verifies the HTTP-POST form field `SAMLResponse` (base64) sent by an IdP to the ACS and returns
 * who the citizen is. Throws SamlResponseRejected. The single use of `requestId` and of the
 * returned `assertionId` is the caller's to enforce.
 */
export async function verifySamlResponse(
  sp: ServiceProvider,
  idpOf: (entityId: string) => IdentityProvider | undefined,
  input: { samlResponse: string; expected: ExpectedResponse; now: Date; clockSkewSeconds?: number },
): Promise<CitizenIdentity> {
  const nowMs = input.now.getTime();
  const skewMs = (input.clockSkewSeconds ?? 30) * 1000;
  const { expected } = input;
  const requestIssuedMs = Date.parse(expected.issuedAt);
  if (Number.isNaN(requestIssuedMs)) throw new TypeError('expected.issuedAt is not an instant');
  const askedLevel = expected.spidLevel ?? sp.spidLevel;

  // ---- decoding and parsing ------------------------------------------------------------------
  const field = input.samlResponse.replace(/\s+/g, '');
  if (field === '' || field.length > 700_000 || !/^[A-Za-z0-9+/]+={0,2}$/.test(field)) reject('malformed', 'SAMLResponse is not base64');
  const xml = Buffer.from(field, 'base64').toString('utf8');
  let doc: Document;
  try {
    doc = parseXmlStrict(xml);
  } catch (error) {
    return reject('malformed', error instanceof XmlRejected ? error.message : 'SAMLResponse is not XML');
  }
  const response = doc.documentElement!;
  if (response.namespaceURI !== NS.protocol || response.localName !== 'Response') reject('malformed', 'the root element is not samlp:Response');
  if (descendants(doc, NS.protocol, 'Response').length !== 1) reject('malformed', 'more than one Response element');

  // ---- the Response ----------------------------------------------------------------------------
  mainAttributes(response, 'Response', nowMs, skewMs, requestIssuedMs);
  checkIssuer(response, 'Response', expected.idpEntityId, false);
  const idp = idpOf(expected.idpEntityId);
  if (!idp || idp.entityId !== expected.idpEntityId) return reject('wrong-issuer', 'the identity provider is not known');
  if (response.getAttribute('Destination') !== sp.acsUrl) reject('wrong-destination', 'Response Destination is not our Assertion Consumer Service');
  if (response.getAttribute('InResponseTo') !== expected.requestId) reject('in-response-to', 'Response InResponseTo is not the request sent');

  const status = child(response, NS.protocol, 'Status');
  const statusCode = status && child(status, NS.protocol, 'StatusCode');
  if (!statusCode || !statusCode.getAttribute('Value')) return reject('malformed', 'Response has no Status/StatusCode');
  if (statusCode.getAttribute('Value') !== STATUS.success) {
    const code = spidErrorCodeOf(status!);
    const sub = child(statusCode, NS.protocol, 'StatusCode')?.getAttribute('Value')?.replace(/^.*:/, '');
    return reject('authn-failed', `the identity provider answered ${statusCode.getAttribute('Value')!.replace(/^.*:/, '')}${sub ? `/${sub}` : ''}${code ? ` (SPID ErrorCode nr${code})` : ''}`, code);
  }

  // ---- the Assertion's shape, before its signature ---------------------------------------------
  if (descendants(doc, NS.assertion, 'EncryptedAssertion').length > 0) reject('malformed', 'EncryptedAssertion is not accepted');
  // exactly one Assertion anywhere in the document: an injected one (signature wrapping) is refused here
  const allAssertions = descendants(doc, NS.assertion, 'Assertion');
  if (allAssertions.length === 0) reject('malformed', 'Response with status Success has no Assertion');
  if (allAssertions.length > 1) reject('malformed', 'more than one Assertion element');
  const rawAssertion = allAssertions[0]!;
  if (rawAssertion.parentNode !== response) reject('malformed', 'the Assertion is not a child of the Response');
  checkSignatureShape(doc);
  if (!signatureOf(rawAssertion)) reject('unsigned', 'the Assertion is not signed');
  const responseSigned = signatureOf(response) !== undefined;

  // ---- the signatures (node-saml / xml-crypto) --------------------------------------------------
  let assertionXml: string;
  try {
    const saml = new SAML(nodeSamlConfig(sp, idp, { wantAuthnResponseSigned: responseSigned }));
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: field });
    const signed = profile?.getAssertionXml?.();
    if (!signed) return reject('malformed', 'no signed assertion in the response');
    assertionXml = signed;
  } catch (error) {
    if (error instanceof SamlResponseRejected) throw error;
    return reject('bad-signature', `the signature does not verify with the identity provider's certificates (${(error as Error).message.slice(0, 120)})`);
  }

  // ---- the signed Assertion: from here on only what the signature covers is read ----------------
  let assertion: Element;
  try {
    assertion = parseXmlStrict(assertionXml).documentElement!;
  } catch {
    return reject('malformed', 'the signed assertion is not XML');
  }
  if (assertion.namespaceURI !== NS.assertion || assertion.localName !== 'Assertion') reject('malformed', 'the signed element is not the Assertion');
  if (assertion.getAttribute('ID') !== rawAssertion.getAttribute('ID')) reject('malformed', 'the signed Assertion is not the Response\'s Assertion');
  mainAttributes(assertion, 'Assertion', nowMs, skewMs, requestIssuedMs);
  const assertionId = assertion.getAttribute('ID')!;
  checkIssuer(assertion, 'Assertion', idp.entityId, true);

  const subject = child(assertion, NS.assertion, 'Subject');
  const nameIdEl = subject && child(subject, NS.assertion, 'NameID');
  const nameId = textOf(nameIdEl);
  if (!nameIdEl || !nameId) return reject('malformed', 'the Assertion has no Subject/NameID');
  if (nameIdEl.getAttribute('Format') !== NAMEID_TRANSIENT) reject('malformed', 'NameID Format is not transient');
  if (!nameIdEl.getAttribute('NameQualifier')) reject('malformed', 'NameID has no NameQualifier');
  const confirmations = children(subject!, NS.assertion, 'SubjectConfirmation');
  if (confirmations.length !== 1) reject('malformed', 'the Subject must have one SubjectConfirmation');
  if (confirmations[0]!.getAttribute('Method') !== CM_BEARER) reject('malformed', 'SubjectConfirmation Method is not bearer');
  const data = child(confirmations[0]!, NS.assertion, 'SubjectConfirmationData');
  if (!data) return reject('malformed', 'no SubjectConfirmationData');
  if (data.getAttribute('Recipient') !== sp.acsUrl) reject('wrong-destination', 'SubjectConfirmationData Recipient is not our Assertion Consumer Service');
  if (data.getAttribute('InResponseTo') !== expected.requestId) reject('in-response-to', 'SubjectConfirmationData InResponseTo is not the request sent');
  const subjectNotOnOrAfter = utcInstant(data.getAttribute('NotOnOrAfter'));
  if (subjectNotOnOrAfter === undefined) return reject('malformed', 'SubjectConfirmationData NotOnOrAfter is missing or not a UTC instant');
  if (subjectNotOnOrAfter <= nowMs - skewMs) reject('expired', 'the assertion has expired (SubjectConfirmationData NotOnOrAfter)');

  const conditionsList = children(assertion, NS.assertion, 'Conditions');
  if (conditionsList.length !== 1) reject('malformed', 'the Assertion must have one Conditions');
  const conditions = conditionsList[0]!;
  const notBefore = utcInstant(conditions.getAttribute('NotBefore'));
  const notOnOrAfter = utcInstant(conditions.getAttribute('NotOnOrAfter'));
  if (notBefore === undefined || notOnOrAfter === undefined) reject('malformed', 'Conditions NotBefore / NotOnOrAfter missing or not UTC instants');
  if (notBefore! > nowMs + skewMs) reject('not-yet-valid', 'the assertion is not yet valid (Conditions NotBefore)');
  if (notOnOrAfter! <= nowMs - skewMs) reject('expired', 'the assertion has expired (Conditions NotOnOrAfter)');
  const audiences = children(conditions, NS.assertion, 'AudienceRestriction').flatMap((r) => children(r, NS.assertion, 'Audience').map(textOf));
  if (audiences.length === 0) reject('wrong-audience', 'the assertion has no AudienceRestriction');
  if (!audiences.includes(sp.entityId)) reject('wrong-audience', 'the assertion is for another audience');

  const authn = child(assertion, NS.assertion, 'AuthnStatement');
  const context = authn && child(authn, NS.assertion, 'AuthnContext');
  const level = spidLevelOf(textOf(context && child(context, NS.assertion, 'AuthnContextClassRef')));
  if (!level) return reject('level', 'the assertion has no SPID AuthnContextClassRef');
  if (LEVEL_RANK[level] < LEVEL_RANK[askedLevel]) reject('level', `the identity provider authenticated at ${level}, ${askedLevel} was asked`);

  const statement = child(assertion, NS.assertion, 'AttributeStatement');
  const attributes = statement ? attributeValues(statement) : new Map<string, string[]>();
  const one = (name: string, required: boolean): string | undefined => {
    const values = attributes.get(name);
    if (!values) return required ? reject('attributes', `the attribute ${name} is missing`) : undefined;
    if (values.length > 1) reject('attributes', `the attribute ${name} has more than one value`);
    return values[0];
  };
  const rawFiscalNumber = one('fiscalNumber', true)!;
  // SPID: "TINIT-" + the codice fiscale (tabella attributi SPID)
  const fiscalNumber = rawFiscalNumber.toUpperCase().replace(/^TINIT-/, '');
  if (validateCodiceFiscale(fiscalNumber) !== null) reject('attributes', 'the attribute fiscalNumber is not a valid codice fiscale');
  const name = one('name', true)!;
  const familyName = one('familyName', true)!;
  const email = one('email', false);
  const sessionIndex = authn!.getAttribute('SessionIndex') || undefined;

  return {
    fiscalNumber,
    name,
    familyName,
    ...(email ? { email } : {}),
    spidLevel: level,
    identityProvider: idp.entityId,
    scheme: idp.scheme,
    assertionId,
    notOnOrAfter: new Date(subjectNotOnOrAfter).toISOString(),
    nameId,
    ...(sessionIndex ? { sessionIndex } : {}),
  };
}

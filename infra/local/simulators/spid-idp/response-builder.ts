/**
 * The local test IdP's SAML Response, shaped as a SPID IdP sends it (regole tecniche SPID,
 * Response; the reference shape of AgID's test suite, italia/spid-sp-test@04b41a0:
 * src/spid_sp_test/responses/templates/base.xml): Issuer with Format entity, Status, an Assertion
 * with Subject (transient NameID, bearer SubjectConfirmation), Conditions with the SP as
 * Audience, an AuthnStatement with the SPID level and the AttributeStatement; the Assertion
 * signed, then the Response (RSA-SHA256, exclusive c14n, enveloped, xml-crypto). A stand-in for
 * tests and the local stack: `overrides` let a test build the wrong answers an SP must refuse.
 */
import { randomBytes } from 'node:crypto';
import { DOMImplementation, type Element } from '@xmldom/xmldom';
import {
  ATTRNAME_BASIC,
  CM_BEARER,
  NAMEID_ENTITY,
  NAMEID_TRANSIENT,
  NS,
  SPID_LEVELS,
  STATUS,
  samlInstant,
  serializeXml,
  signEnveloped,
  type SpidLevel,
  elementBuilder,
} from '../../../../shared/adapters/spid-saml';

export interface IdpCredentials {
  readonly entityId: string;
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

export interface ResponseCitizen {
  readonly fiscalNumber: string;
  readonly name: string;
  readonly familyName: string;
  readonly email?: string;
}

export interface ResponseSpec {
  readonly idp: IdpCredentials;
  readonly sp: { readonly entityId: string; readonly acsUrl: string };
  readonly inResponseTo: string;
  readonly now: Date;
  readonly spidLevel: SpidLevel;
  readonly citizen: ResponseCitizen;
  /** the NameID and SessionIndex to assert (random unless given): the IdP's session, for its Single Logout */
  readonly session?: { readonly nameId: string; readonly sessionIndex: string };
  /** validity of the assertion; 5 minutes unless given */
  readonly lifetimeSeconds?: number;
  /** for tests: the wrong answers */
  readonly overrides?: {
    readonly destination?: string;
    readonly recipient?: string;
    readonly audience?: string;
    readonly issuer?: string;
    readonly responseInResponseTo?: string;
    readonly notBefore?: Date;
    readonly notOnOrAfter?: Date;
    readonly issueInstant?: Date;
    readonly omitAttributes?: readonly string[];
    readonly signAssertion?: boolean;
    readonly signResponse?: boolean;
    /** signs with this key/certificate instead of the IdP's */
    readonly signer?: { readonly privateKeyPem: string; readonly certificatePem: string };
  };
}

const newId = () => `_${randomBytes(16).toString('hex')}`;

function documentWithRoot(qname: string) {
  const doc = new DOMImplementation().createDocument(NS.protocol, qname, null);
  const el = elementBuilder(doc);
  const root = doc.documentElement!;
  root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:saml', NS.assertion);
  return { doc, root, el };
}

function responseRoot(spec: { idpEntityId: string; destination: string; inResponseTo: string; issueInstant: string; issuer?: string }) {
  const parts = documentWithRoot('samlp:Response');
  const { root, el } = parts;
  root.setAttribute('ID', newId());
  root.setAttribute('Version', '2.0');
  root.setAttribute('IssueInstant', spec.issueInstant);
  root.setAttribute('Destination', spec.destination);
  root.setAttribute('InResponseTo', spec.inResponseTo);
  el(root, NS.assertion, 'saml:Issuer', { Format: NAMEID_ENTITY }, spec.issuer ?? spec.idpEntityId);
  return parts;
}

function sign(xml: string, signer: { privateKeyPem: string; certificatePem: string }, element: 'Assertion' | 'Response'): string {
  const target = element === 'Assertion' ? "/*[local-name(.)='Response']/*[local-name(.)='Assertion']" : "/*[local-name(.)='Response']";
  return signEnveloped(xml, {
    ...signer,
    referenceXpath: target,
    // ds:Signature right after the element's Issuer (saml-schema-assertion/protocol-2.0)
    location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
  });
}

/** A signed SPID Response with status Success. */
export function buildSamlResponse(spec: ResponseSpec): string {
  const o = spec.overrides ?? {};
  const issueInstant = samlInstant(o.issueInstant ?? spec.now);
  const lifetime = (spec.lifetimeSeconds ?? 300) * 1000;
  const notOnOrAfter = samlInstant(o.notOnOrAfter ?? new Date(spec.now.getTime() + lifetime));
  const notBefore = samlInstant(o.notBefore ?? spec.now);
  const issuer = o.issuer ?? spec.idp.entityId;
  const { doc, root, el } = responseRoot({
    idpEntityId: spec.idp.entityId,
    destination: o.destination ?? spec.sp.acsUrl,
    inResponseTo: o.responseInResponseTo ?? spec.inResponseTo,
    issueInstant,
    issuer,
  });
  el(el(root, NS.protocol, 'samlp:Status'), NS.protocol, 'samlp:StatusCode', { Value: STATUS.success });

  const assertion = el(root, NS.assertion, 'saml:Assertion', { ID: newId(), Version: '2.0', IssueInstant: issueInstant });
  assertion.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:xs', 'http://www.w3.org/2001/XMLSchema');
  assertion.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:xsi', 'http://www.w3.org/2001/XMLSchema-instance');
  el(assertion, NS.assertion, 'saml:Issuer', { Format: NAMEID_ENTITY }, issuer);
  const subject = el(assertion, NS.assertion, 'saml:Subject');
  el(subject, NS.assertion, 'saml:NameID', { Format: NAMEID_TRANSIENT, NameQualifier: spec.idp.entityId }, spec.session?.nameId ?? newId());
  const confirmation = el(subject, NS.assertion, 'saml:SubjectConfirmation', { Method: CM_BEARER });
  el(confirmation, NS.assertion, 'saml:SubjectConfirmationData', {
    InResponseTo: spec.inResponseTo,
    NotOnOrAfter: notOnOrAfter,
    Recipient: o.recipient ?? spec.sp.acsUrl,
  });
  const conditions = el(assertion, NS.assertion, 'saml:Conditions', { NotBefore: notBefore, NotOnOrAfter: notOnOrAfter });
  el(el(conditions, NS.assertion, 'saml:AudienceRestriction'), NS.assertion, 'saml:Audience', {}, o.audience ?? spec.sp.entityId);
  const authn = el(assertion, NS.assertion, 'saml:AuthnStatement', { AuthnInstant: issueInstant, SessionIndex: spec.session?.sessionIndex ?? newId() });
  el(el(authn, NS.assertion, 'saml:AuthnContext'), NS.assertion, 'saml:AuthnContextClassRef', {}, SPID_LEVELS[spec.spidLevel]);
  const statement = el(assertion, NS.assertion, 'saml:AttributeStatement');
  const values: Array<[string, string | undefined]> = [
    ['fiscalNumber', `TINIT-${spec.citizen.fiscalNumber}`],
    ['name', spec.citizen.name],
    ['familyName', spec.citizen.familyName],
    ['email', spec.citizen.email],
  ];
  for (const [name, value] of values) {
    if (value === undefined || o.omitAttributes?.includes(name)) continue;
    const attribute = el(statement, NS.assertion, 'saml:Attribute', { Name: name, NameFormat: ATTRNAME_BASIC });
    el(attribute, NS.assertion, 'saml:AttributeValue', { 'xsi:type': 'xs:string' }, value);
  }

  const signer = o.signer ?? spec.idp;
  let xml = serializeXml(doc);
  if (o.signAssertion !== false) xml = sign(xml, signer, 'Assertion');
  if (o.signResponse !== false) xml = sign(xml, signer, 'Response');
  return xml;
}

/**
 * A signed SPID error Response: status Responder/AuthnFailed with `ErrorCode nr<code>` (tabella
 * codici di errore SPID: 19 too many attempts, 20 no credentials for the level, 21 timeout, 22
 * consent denied, 23 identity suspended or revoked, 25 the citizen cancelled), no Assertion.
 */
export function buildSamlErrorResponse(spec: {
  idp: IdpCredentials;
  sp: { entityId: string; acsUrl: string };
  inResponseTo: string;
  now: Date;
  errorCode: number;
}): string {
  const { doc, root, el } = responseRoot({
    idpEntityId: spec.idp.entityId,
    destination: spec.sp.acsUrl,
    inResponseTo: spec.inResponseTo,
    issueInstant: samlInstant(spec.now),
  });
  const status = el(root, NS.protocol, 'samlp:Status');
  const code = el(status, NS.protocol, 'samlp:StatusCode', { Value: STATUS.responder });
  el(code, NS.protocol, 'samlp:StatusCode', { Value: STATUS.authnFailed });
  el(status, NS.protocol, 'samlp:StatusMessage', {}, `ErrorCode nr${spec.errorCode}`);
  return sign(serializeXml(doc), spec.idp, 'Response');
}

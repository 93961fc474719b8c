/**
 * The local test IdP's Single Logout messages, shaped as the SPID technical rules ask
 * (italia/spid-regole-tecniche@1dd4757:single-logout.rst; the LogoutResponse as AgID's test
 * suite sends it, italia/spid-saml-check@6052397:src/test/logout-1.xml) and signed in the
 * HTTP-Redirect binding (RSA-SHA256 over the query string): the IdP's LogoutResponse to an
 * SP-initiated LogoutRequest, and an IdP-initiated LogoutRequest to the SP. `overrides` let a
 * test build the wrong messages an SP must refuse.
 */
import { randomBytes } from 'node:crypto';
import { DOMImplementation, type Element } from '@xmldom/xmldom';
import { NAMEID_ENTITY, NAMEID_TRANSIENT, NS, STATUS, elementBuilder, samlInstant, serializeXml, signedRedirectUrl } from '../../../../shared/adapters/spid-saml';
import type { IdpCredentials } from './response-builder';

export interface LogoutOverrides {
  readonly issuer?: string;
  readonly destination?: string;
  readonly issueInstant?: Date;
  /** signs with this key instead of the IdP's */
  readonly signer?: { readonly privateKeyPem: string };
  /** no SigAlg and Signature in the URL */
  readonly unsigned?: boolean;
}

const newId = () => `_${randomBytes(16).toString('hex')}`;

function message(qname: 'samlp:LogoutRequest' | 'samlp:LogoutResponse', attributes: Record<string, string | undefined>, issuer: string, issuerQualifier: string) {
  const doc = new DOMImplementation().createDocument(NS.protocol, qname, null);
  const root = doc.documentElement!;
  root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:saml', NS.assertion);
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) root.setAttribute(k, v);
  const el = elementBuilder(doc);
  el(root, NS.assertion, 'saml:Issuer', { Format: NAMEID_ENTITY, NameQualifier: issuerQualifier }, issuer);
  return { doc, root, el };
}

function redirect(target: string, parameter: 'SAMLRequest' | 'SAMLResponse', xml: string, relayState: string | undefined, key: string, unsigned: boolean | undefined): string {
  const url = signedRedirectUrl(target, { parameter, xml, ...(relayState !== undefined ? { relayState } : {}) }, key);
  return unsigned ? url.replace(/&SigAlg=[^&]*&Signature=[^&]*$/, '') : url;
}

/**
 * The IdP's LogoutResponse to the SP's LogoutRequest, as the URL of the SP's SingleLogoutService
 * the browser is redirected to. `status`: Success, or PartialLogout (Requester + PartialLogout,
 * SPID's answer when the IdP could not close every session, or had none left).
 */
export function buildLogoutResponseRedirect(spec: {
  readonly idp: IdpCredentials;
  readonly sp: { readonly sloUrl: string };
  readonly inResponseTo: string;
  readonly now: Date;
  readonly relayState?: string;
  readonly status?: 'Success' | 'PartialLogout' | 'Responder';
  readonly overrides?: LogoutOverrides & { readonly inResponseTo?: string };
}): { readonly url: string; readonly xml: string } {
  const o = spec.overrides ?? {};
  const issuer = o.issuer ?? spec.idp.entityId;
  const { doc, root, el } = message(
    'samlp:LogoutResponse',
    {
      ID: newId(),
      Version: '2.0',
      IssueInstant: samlInstant(o.issueInstant ?? spec.now),
      Destination: o.destination ?? spec.sp.sloUrl,
      InResponseTo: o.inResponseTo ?? spec.inResponseTo,
    },
    issuer,
    issuer,
  );
  const status = el(root, NS.protocol, 'samlp:Status');
  const outcome = spec.status ?? 'Success';
  if (outcome === 'Success') el(status, NS.protocol, 'samlp:StatusCode', { Value: STATUS.success });
  else if (outcome === 'PartialLogout') el(el(status, NS.protocol, 'samlp:StatusCode', { Value: STATUS.requester }), NS.protocol, 'samlp:StatusCode', { Value: STATUS.partialLogout });
  else el(status, NS.protocol, 'samlp:StatusCode', { Value: STATUS.responder });
  const xml = serializeXml(doc);
  return { url: redirect(spec.sp.sloUrl, 'SAMLResponse', xml, spec.relayState, (o.signer ?? spec.idp).privateKeyPem, o.unsigned), xml };
}

/**
 * An IdP-initiated LogoutRequest for the citizen's session at the SP (its NameID and
 * SessionIndex, those of the Assertion the IdP issued), as the URL of the SP's
 * SingleLogoutService the browser is redirected to.
 */
export function buildIdpLogoutRequestRedirect(spec: {
  readonly idp: IdpCredentials;
  readonly sp: { readonly sloUrl: string };
  readonly nameId: string;
  readonly sessionIndex?: string;
  readonly now: Date;
  readonly relayState?: string;
  /** validity of the request; 5 minutes unless given */
  readonly lifetimeSeconds?: number;
  readonly overrides?: LogoutOverrides & { readonly notOnOrAfter?: Date };
}): { readonly url: string; readonly requestId: string; readonly xml: string } {
  const o = spec.overrides ?? {};
  const issuer = o.issuer ?? spec.idp.entityId;
  const requestId = newId();
  const { doc, root, el } = message(
    'samlp:LogoutRequest',
    {
      ID: requestId,
      Version: '2.0',
      IssueInstant: samlInstant(o.issueInstant ?? spec.now),
      Destination: o.destination ?? spec.sp.sloUrl,
      NotOnOrAfter: samlInstant(o.notOnOrAfter ?? new Date(spec.now.getTime() + (spec.lifetimeSeconds ?? 300) * 1000)),
    },
    issuer,
    issuer,
  );
  el(root, NS.assertion, 'saml:NameID', { Format: NAMEID_TRANSIENT, NameQualifier: spec.idp.entityId }, spec.nameId);
  if (spec.sessionIndex) el(root, NS.protocol, 'samlp:SessionIndex', {}, spec.sessionIndex);
  const xml = serializeXml(doc);
  return { url: redirect(spec.sp.sloUrl, 'SAMLRequest', xml, spec.relayState, (o.signer ?? spec.idp).privateKeyPem, o.unsigned), requestId, xml };
}

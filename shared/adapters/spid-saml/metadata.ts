/**
 * SAML metadata: this SP's (SPID-shaped and signed) and the identity providers' (read).
 *
 * The SP metadata follows what pagoPA's io-spid-commons publishes
 * (pagopa/io-spid-commons@1a53850:src/utils/samlUtils.ts getMetadataTamperer: AuthnRequestsSigned
 * and WantAssertionsSigned true, AssertionConsumerService index 0, an AttributeConsumingService
 * with its RequestedAttributes, Organization in Italian, the SPID ContactPerson extensions, an
 * enveloped RSA-SHA256 signature with exclusive c14n placed first) and the checks AgID's SP test
 * suite makes for a public SP under Avviso SPID n. 29 v3
 * (italia/spid-sp-test@04b41a0:src/spid_sp_test/metadata.py and metadata_public.py: one
 * ContactPerson contactType="other" with one Extensions holding spid:IPACode and an empty
 * spid:Public, an EmailAddress, Company equal to OrganizationName, a TelephoneNumber without
 * spaces; OrganizationName/DisplayName/URL with xml:lang="it"; a signing KeyDescriptor; a
 * SingleLogoutService; one default AssertionConsumerService; NameIDFormat transient).
 */
import { createHash } from 'node:crypto';
import { DOMImplementation, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { ALGORITHMS, ATTRNAME_BASIC, BINDING, NAMEID_TRANSIENT, NS, REQUESTED_ATTRIBUTES } from './constants';
import type { IdentityProvider, ServiceProvider } from './types';
import { certificateBody, child, children, descendants, parseXmlStrict, serializeXml, textOf } from './xml';

/** Signs `xml` with an enveloped signature over the element `referenceXpath` (which has an ID), placed as `location`. */
export function signEnveloped(
  xml: string,
  options: { privateKeyPem: string; certificatePem: string; referenceXpath: string; location: { reference: string; action: 'prepend' | 'after' } },
): string {
  const sig = new SignedXml({
    privateKey: options.privateKeyPem,
    publicCert: options.certificatePem,
    signatureAlgorithm: ALGORITHMS.rsaSha256,
    canonicalizationAlgorithm: ALGORITHMS.excC14n,
  });
  sig.addReference({ xpath: options.referenceXpath, transforms: [ALGORITHMS.envelopedSignature, ALGORITHMS.excC14n], digestAlgorithm: ALGORITHMS.sha256 });
  sig.computeSignature(xml, { prefix: 'ds', location: options.location });
  return sig.getSignedXml();
}

/** The SP metadata, signed with the SP's key: publish it at the metadata URL given to AgID. */
export function serviceProviderMetadata(sp: ServiceProvider): string {
  const doc = new DOMImplementation().createDocument(NS.metadata, 'md:EntityDescriptor', null);
  const root = doc.documentElement!;
  const el = (parent: Element, ns: string, qname: string, attrs: Record<string, string> = {}, text?: string): Element => {
    const e = doc.createElementNS(ns, qname);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'xml:lang') e.setAttributeNS(NS.xml, k, v);
      else e.setAttribute(k, v);
    }
    if (text !== undefined) e.appendChild(doc.createTextNode(text));
    parent.appendChild(e);
    return e;
  };
  root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:ds', NS.xmldsig);
  root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:spid', NS.spid);
  root.setAttribute('entityID', sp.entityId);
  // a stable ID: the same SP configuration publishes the same document
  root.setAttribute('ID', `_${createHash('sha256').update(`${sp.entityId}\n${certificateBody(sp.certificatePem)}`).digest('hex').slice(0, 40)}`);

  const sso = el(root, NS.metadata, 'md:SPSSODescriptor', {
    protocolSupportEnumeration: NS.protocol,
    AuthnRequestsSigned: 'true',
    WantAssertionsSigned: 'true',
  });
  const key = el(sso, NS.metadata, 'md:KeyDescriptor', { use: 'signing' });
  const keyInfo = el(key, NS.xmldsig, 'ds:KeyInfo');
  el(el(keyInfo, NS.xmldsig, 'ds:X509Data'), NS.xmldsig, 'ds:X509Certificate', {}, certificateBody(sp.certificatePem));
  // SingleLogoutService, HTTP-Redirect: LogoutRequests and LogoutResponses both come to sloUrl (no ResponseLocation);
  // in the schema's place, after the KeyDescriptors and before NameIDFormat (saml-schema-metadata-2.0 SSODescriptorType)
  if (sp.sloUrl) el(sso, NS.metadata, 'md:SingleLogoutService', { Binding: BINDING.redirect, Location: sp.sloUrl });
  el(sso, NS.metadata, 'md:NameIDFormat', {}, NAMEID_TRANSIENT);
  el(sso, NS.metadata, 'md:AssertionConsumerService', { Binding: BINDING.post, Location: sp.acsUrl, index: '0', isDefault: 'true' });
  const acs = el(sso, NS.metadata, 'md:AttributeConsumingService', { index: String(sp.attributeConsumingServiceIndex) });
  el(acs, NS.metadata, 'md:ServiceName', { 'xml:lang': 'it' }, sp.organization.displayName);
  for (const a of REQUESTED_ATTRIBUTES) {
    el(acs, NS.metadata, 'md:RequestedAttribute', { Name: a.name, NameFormat: ATTRNAME_BASIC, FriendlyName: a.friendlyName });
  }

  const org = el(root, NS.metadata, 'md:Organization');
  el(org, NS.metadata, 'md:OrganizationName', { 'xml:lang': 'it' }, sp.organization.name);
  el(org, NS.metadata, 'md:OrganizationDisplayName', { 'xml:lang': 'it' }, sp.organization.displayName);
  el(org, NS.metadata, 'md:OrganizationURL', { 'xml:lang': 'it' }, sp.organization.url);

  const contact = el(root, NS.metadata, 'md:ContactPerson', { contactType: 'other' });
  const ext = el(contact, NS.metadata, 'md:Extensions');
  if (sp.contact.ipaCode) el(ext, NS.spid, 'spid:IPACode', {}, sp.contact.ipaCode);
  if (sp.contact.vatNumber) el(ext, NS.spid, 'spid:VATNumber', {}, sp.contact.vatNumber);
  if (sp.contact.fiscalCode) el(ext, NS.spid, 'spid:FiscalCode', {}, sp.contact.fiscalCode);
  el(ext, NS.spid, 'spid:Public');
  el(contact, NS.metadata, 'md:Company', {}, sp.organization.name);
  el(contact, NS.metadata, 'md:EmailAddress', {}, sp.contact.email);
  if (sp.contact.telephone) el(contact, NS.metadata, 'md:TelephoneNumber', {}, sp.contact.telephone.replace(/\s+/g, ''));

  return signEnveloped(`<?xml version="1.0" encoding="UTF-8"?>\n${serializeXml(doc)}`, {
    privateKeyPem: sp.privateKeyPem,
    certificatePem: sp.certificatePem,
    referenceXpath: "/*[local-name(.)='EntityDescriptor']",
    // ds:Signature is the first child of EntityDescriptor (saml-schema-metadata-2.0)
    location: { reference: "/*[local-name(.)='EntityDescriptor']", action: 'prepend' },
  });
}

/**
 * Verifies the enveloped signature on the root of a metadata document with one of `signers`
 * (PEM or bare base64): true only if the root has one Signature, its one Reference is the root,
 * and it verifies.
 */
export function metadataSignatureValid(xml: string, signers: readonly string[]): boolean {
  const doc = parseXmlStrict(xml, 64 * 1024 * 1024);
  const root = doc.documentElement!;
  const sigs = children(root, NS.xmldsig, 'Signature');
  if (sigs.length !== 1) return false;
  const id = root.getAttribute('ID');
  for (const signer of signers) {
    const sig = new SignedXml({ publicCert: `-----BEGIN CERTIFICATE-----\n${certificateBody(signer)}\n-----END CERTIFICATE-----\n` });
    sig.loadSignature(serializeXml(sigs[0]!));
    const refs = sig.getReferences();
    if (refs.length !== 1 || !id || refs[0]!.uri !== `#${id}`) return false;
    try {
      if (sig.checkSignature(xml)) return true;
    } catch {
      // try the next signer
    }
  }
  return false;
}

function displayNameOf(entity: Element): string | undefined {
  const org = child(entity, NS.metadata, 'Organization');
  if (!org) return undefined;
  const names = [...children(org, NS.metadata, 'OrganizationDisplayName'), ...children(org, NS.metadata, 'OrganizationName')];
  const it = names.find((n) => n.getAttributeNS(NS.xml, 'lang') === 'it' || n.getAttribute('xml:lang') === 'it');
  return textOf(it ?? names[0]) || undefined;
}

/**
 * The identity providers of a metadata document: an EntitiesDescriptor aggregate (the SPID
 * registry's, https://registry.spid.gov.it/metadata/idp/spid-entities-idps.xml as
 * io-spid-commons' example reads it) or one EntityDescriptor (CIE's SAML IdP metadata). An
 * entity without an IDPSSODescriptor, an HTTP-Redirect SingleSignOnService or a signing
 * certificate is left out, as io-spid-commons' parseIdpMetadata does
 * (pagopa/io-spid-commons@1a53850:src/utils/metadata.ts). Hardened parsing: no DTD.
 * With `trustedSigners`, the document's own signature must verify with one of them.
 */
export function parseIdentityProviderMetadata(
  xml: string,
  scheme: 'spid' | 'cie',
  options: { trustedSigners?: readonly string[] } = {},
): IdentityProvider[] {
  const doc = parseXmlStrict(xml, 64 * 1024 * 1024);
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.metadata || (root.localName !== 'EntitiesDescriptor' && root.localName !== 'EntityDescriptor')) {
    throw new Error('not SAML metadata: the root is neither md:EntitiesDescriptor nor md:EntityDescriptor');
  }
  if (options.trustedSigners && !metadataSignatureValid(xml, options.trustedSigners)) {
    throw new Error('the metadata signature does not verify with the trusted signers');
  }
  const entities = root.localName === 'EntityDescriptor' ? [root] : descendants(root, NS.metadata, 'EntityDescriptor');
  const out: IdentityProvider[] = [];
  const seen = new Set<string>();
  for (const entity of entities) {
    const entityId = entity.getAttribute('entityID')?.trim();
    const idpSso = child(entity, NS.metadata, 'IDPSSODescriptor');
    if (!entityId || !idpSso || seen.has(entityId)) continue;
    const signingCertificates = children(idpSso, NS.metadata, 'KeyDescriptor')
      .filter((k) => !k.getAttribute('use') || k.getAttribute('use') === 'signing')
      .flatMap((k) => descendants(k, NS.xmldsig, 'X509Certificate').map((c) => certificateBody(textOf(c))))
      .filter((c) => c.length > 0);
    const redirect = (name: string, attribute = 'Location') =>
      children(idpSso, NS.metadata, name)
        .find((s) => s.getAttribute('Binding') === BINDING.redirect)
        ?.getAttribute(attribute)
        ?.trim() || undefined;
    const ssoRedirectUrl = redirect('SingleSignOnService');
    if (!ssoRedirectUrl || signingCertificates.length === 0) continue;
    const sloRedirectUrl = redirect('SingleLogoutService');
    // some SPID IdPs take LogoutResponses elsewhere (ResponseLocation, saml-metadata-2.0 §2.2.2)
    const sloResponseRedirectUrl = sloRedirectUrl ? redirect('SingleLogoutService', 'ResponseLocation') : undefined;
    seen.add(entityId);
    out.push({
      entityId,
      displayName: displayNameOf(entity) ?? entityId,
      scheme,
      ssoRedirectUrl,
      ...(sloRedirectUrl ? { sloRedirectUrl } : {}),
      ...(sloResponseRedirectUrl ? { sloResponseRedirectUrl } : {}),
      signingCertificates: [...new Set(signingCertificates)],
    });
  }
  return out;
}

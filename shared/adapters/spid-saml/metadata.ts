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
 * The CIE SAML federation's metadata (cieServiceProviderMetadata) shares the same builder and
 * signature and differs in the attribute set and the ContactPerson (see there).
 */
import { createHash } from 'node:crypto';
import { DOMImplementation, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { ALGORITHMS, ATTRNAME_BASIC, BINDING, NAMEID_TRANSIENT, NS, REQUESTED_ATTRIBUTES } from './constants';
import type { IdentityProvider, ServiceProvider } from './types';
import { certificateBody, child, children, descendants, elementBuilder, parseXmlStrict, serializeXml, textOf, type AddElement } from './xml';

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


/** What differs between the SPID and the CIE SP metadata; everything else is built once, in buildSignedSpMetadata. */
interface MetadataProfile {
  /** namespace prefixes declared once on the EntityDescriptor, besides md and ds */
  readonly namespaces: readonly (readonly [prefix: string, uri: string])[];
  /** fills the AttributeConsumingService: ServiceName and the RequestedAttributes */
  readonly attributeConsumingService: (acs: Element, el: AddElement) => void;
  /** appends the ContactPerson element(s) to the EntityDescriptor, after Organization */
  readonly contacts: (root: Element, el: AddElement) => void;
}

/**
 * The EntityDescriptor common to the SPID and the CIE profiles (one root EntityDescriptor, one
 * SPSSODescriptor with AuthnRequestsSigned and WantAssertionsSigned true, a signing
 * KeyDescriptor, the HTTP-Redirect SingleLogoutService, NameIDFormat transient, the HTTP-POST
 * AssertionConsumerService index 0 isDefault, one AttributeConsumingService, Organization in
 * Italian), signed with the SP's key (enveloped, RSA-SHA256, exclusive c14n, ds:Signature first).
 */
function buildSignedSpMetadata(sp: ServiceProvider, profile: MetadataProfile): string {
  const doc = new DOMImplementation().createDocument(NS.metadata, 'md:EntityDescriptor', null);
  const root = doc.documentElement!;
  const el = elementBuilder(doc);
  root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:ds', NS.xmldsig);
  for (const [prefix, uri] of profile.namespaces) root.setAttributeNS('http://www.w3.org/2000/xmlns/', `xmlns:${prefix}`, uri);
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
  profile.attributeConsumingService(el(sso, NS.metadata, 'md:AttributeConsumingService', { index: String(sp.attributeConsumingServiceIndex) }), el);

  const org = el(root, NS.metadata, 'md:Organization');
  el(org, NS.metadata, 'md:OrganizationName', { 'xml:lang': 'it' }, sp.organization.name);
  el(org, NS.metadata, 'md:OrganizationDisplayName', { 'xml:lang': 'it' }, sp.organization.displayName);
  el(org, NS.metadata, 'md:OrganizationURL', { 'xml:lang': 'it' }, sp.organization.url);

  profile.contacts(root, el);

  return signEnveloped(`<?xml version="1.0" encoding="UTF-8"?>\n${serializeXml(doc)}`, {
    privateKeyPem: sp.privateKeyPem,
    certificatePem: sp.certificatePem,
    referenceXpath: "/*[local-name(.)='EntityDescriptor']",
    // ds:Signature is the first child of EntityDescriptor (saml-schema-metadata-2.0)
    location: { reference: "/*[local-name(.)='EntityDescriptor']", action: 'prepend' },
  });
}

/** The SP metadata, signed with the SP's key: publish it at the metadata URL given to AgID. */
export function serviceProviderMetadata(sp: ServiceProvider): string {
  return buildSignedSpMetadata(sp, {
    namespaces: [['spid', NS.spid]],
    attributeConsumingService: (acs, el) => {
      el(acs, NS.metadata, 'md:ServiceName', { 'xml:lang': 'it' }, sp.organization.displayName);
      for (const a of REQUESTED_ATTRIBUTES) {
        el(acs, NS.metadata, 'md:RequestedAttribute', { Name: a.name, NameFormat: ATTRNAME_BASIC, FriendlyName: a.friendlyName });
      }
    },
    contacts: (root, el) => {
      const contact = el(root, NS.metadata, 'md:ContactPerson', { contactType: 'other' });
      const ext = el(contact, NS.metadata, 'md:Extensions');
      if (sp.contact.ipaCode) el(ext, NS.spid, 'spid:IPACode', {}, sp.contact.ipaCode);
      if (sp.contact.vatNumber) el(ext, NS.spid, 'spid:VATNumber', {}, sp.contact.vatNumber);
      if (sp.contact.fiscalCode) el(ext, NS.spid, 'spid:FiscalCode', {}, sp.contact.fiscalCode);
      el(ext, NS.spid, 'spid:Public');
      el(contact, NS.metadata, 'md:Company', {}, sp.organization.name);
      el(contact, NS.metadata, 'md:EmailAddress', {}, sp.contact.email);
      if (sp.contact.telephone) el(contact, NS.metadata, 'md:TelephoneNumber', {}, sp.contact.telephone.replace(/\s+/g, ''));
    },
  });
}

/** The XML namespace of the CIE ("Entra con CIE") SAML metadata extensions. */
export const CIE_METADATA_NS = 'https://www.cartaidentita.interno.gov.it/saml-extensions';

/** The only attributes the CIE IdP accepts in an AttributeConsumingService: the eIDAS minimum dataset (no email). */
export const CIE_REQUESTED_ATTRIBUTES = ['name', 'familyName', 'dateOfBirth', 'fiscalNumber'] as const;

/** The CIE registration data of the SP that are not in ServiceProvider. */
export interface CieMetadataOptions {
  /** codice catastale ("Belfiore") of the municipality of the SP's registered office, uppercase: H501 for Roma */
  readonly municipality: string;
  /** the IPA category of the entity (Indice PA), e.g. L6 for the Italian municipalities */
  readonly ipaCategory?: string;
}

/**
 * The SP metadata for the CIE SAML federation ("Entra con CIE", Ministry of the Interior), signed
 * with the SP's key like the SPID one: upload it on https://federazione.servizicie.interno.gov.it.
 *
 * It follows italia/cie-eid-saml-docs@86a21e8cc5683cc32df54494777ff123c831cb17:docs/it/federazione.rst
 * (with static/metadata_full_sp_pubblico_tp_private.xml, ciespid.rst and pki.rst):
 * - one EntityDescriptor as the root, with ds:Signature first (pki.rst: enveloped, RSA, SHA-256);
 * - SPSSODescriptor with AuthnRequestsSigned and WantAssertionsSigned "true", at least one signing
 *   KeyDescriptor, at least one SingleLogoutService of which one HTTP-Redirect (mandatory: the
 *   SP's sloUrl is required here), NameIDFormat transient if present, an AssertionConsumerService;
 * - AttributeConsumingService requesting only the eIDAS minimum dataset (name, familyName,
 *   dateOfBirth, fiscalNumber), with a ServiceName holding a UUID v4 of the attribute set with
 *   xml:lang="" (as in the examples; here derived from the entityID, so the document is stable);
 * - Organization with the Italian OrganizationName/DisplayName/URL;
 * - one ContactPerson contactType="administrative" (an SP with no external technology partner)
 *   whose Extensions, in the CIE namespace, hold cie:Public (a public administration), cie:IPACode
 *   (mandatory for a PA), optional cie:IPACategory, cie:VATNumber and cie:FiscalCode when known,
 *   and cie:Municipality (mandatory: the Belfiore code, uppercase); then Company exactly equal to
 *   OrganizationName, EmailAddress, and an optional TelephoneNumber without spaces.
 * The AttributeConsumingService keeps the SP's attributeConsumingServiceIndex, so the AuthnRequest
 * sent to CIE's IdP points at this attribute set (protocolli.rst: AttributeConsumingServiceIndex).
 */
export function cieServiceProviderMetadata(sp: ServiceProvider, cie: CieMetadataOptions): string {
  if (typeof cie.municipality !== 'string' || !/^[A-Z]\d{3}$/.test(cie.municipality)) {
    throw new Error(
      `CIE metadata: municipality must be the Belfiore (cadastral) code of the municipality, one uppercase letter and three digits such as H501; got ${JSON.stringify(cie.municipality)}`,
    );
  }
  if (cie.ipaCategory !== undefined && !/^[A-Za-z0-9]+$/.test(cie.ipaCategory)) {
    throw new Error(`CIE metadata: ipaCategory must be an IPA category code such as L6; got ${JSON.stringify(cie.ipaCategory)}`);
  }
  if (!sp.contact.ipaCode) throw new Error('CIE metadata: the SP is a public administration (cie:Public), so contact.ipaCode (codice IPA) is required');
  if (!sp.sloUrl) throw new Error('CIE metadata: a SingleLogoutService with the HTTP-Redirect binding is mandatory, so sloUrl is required');
  const hex = createHash('sha256').update(`${sp.entityId}\ncie-attribute-set\n${sp.attributeConsumingServiceIndex}`).digest('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return buildSignedSpMetadata(sp, {
    namespaces: [['cie', CIE_METADATA_NS]],
    attributeConsumingService: (acs, el) => {
      el(acs, NS.metadata, 'md:ServiceName', { 'xml:lang': '' }, `urn:uuid:${uuid}`);
      for (const name of CIE_REQUESTED_ATTRIBUTES) el(acs, NS.metadata, 'md:RequestedAttribute', { Name: name, NameFormat: ATTRNAME_BASIC });
    },
    contacts: (root, el) => {
      const contact = el(root, NS.metadata, 'md:ContactPerson', { contactType: 'administrative' });
      const ext = el(contact, NS.metadata, 'md:Extensions');
      el(ext, CIE_METADATA_NS, 'cie:Public');
      el(ext, CIE_METADATA_NS, 'cie:IPACode', {}, sp.contact.ipaCode!);
      if (cie.ipaCategory) el(ext, CIE_METADATA_NS, 'cie:IPACategory', {}, cie.ipaCategory);
      if (sp.contact.vatNumber) el(ext, CIE_METADATA_NS, 'cie:VATNumber', {}, sp.contact.vatNumber);
      if (sp.contact.fiscalCode) el(ext, CIE_METADATA_NS, 'cie:FiscalCode', {}, sp.contact.fiscalCode);
      el(ext, CIE_METADATA_NS, 'cie:Municipality', {}, cie.municipality);
      el(contact, NS.metadata, 'md:Company', {}, sp.organization.name);
      el(contact, NS.metadata, 'md:EmailAddress', {}, sp.contact.email);
      if (sp.contact.telephone) el(contact, NS.metadata, 'md:TelephoneNumber', {}, sp.contact.telephone.replace(/\s+/g, ''));
    },
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

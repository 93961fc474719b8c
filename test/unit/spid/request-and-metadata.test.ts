/**
 * The signed AuthnRequest (HTTP-Redirect binding), the signed SP metadata, the IdP metadata
 * parsing, and the local credentials.
 */
import { X509Certificate, createPrivateKey, createVerify } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  NS,
  authnRequestRedirect,
  certificateBody,
  certificatePem,
  generateServiceProviderCredentials,
  metadataSignatureValid,
  parseIdentityProviderMetadata,
  parseXmlStrict,
  serviceProviderMetadata,
} from '../../../shared/adapters/spid-saml';
import { identityProviderMetadata } from '../../../infra/local/simulators/spid-idp';
import { T0, idp, idpCredentials, otherCredentials, sp, spCredentials } from './fixtures';

function rawParams(url: string): Map<string, string> {
  const query = url.slice(url.indexOf('?') + 1);
  return new Map(query.split('&').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as [string, string]));
}

/** SAML Bindings §3.4.4.1: the signature is over SAMLRequest=…&RelayState=…&SigAlg=… as URL-encoded */
function redirectSignatureValid(url: string, certificate: string): boolean {
  const raw = rawParams(url);
  const signed = ['SAMLRequest', 'RelayState', 'SigAlg'].map((k) => `${k}=${raw.get(k)}`).join('&');
  return createVerify('RSA-SHA256').update(signed).verify(certificate, decodeURIComponent(raw.get('Signature')!), 'base64');
}

describe('authnRequestRedirect', () => {
  it('sends a SPID AuthnRequest signed RSA-SHA256 in the query string', async () => {
    const { url, requestId, issueInstant } = await authnRequestRedirect(sp, idp, { relayState: 'stato-opaco-123', now: T0 });
    expect(url.startsWith(`${idp.ssoRedirectUrl}?`)).toBe(true);
    const params = new URL(url).searchParams;
    expect(params.get('RelayState')).toBe('stato-opaco-123');
    expect(params.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(redirectSignatureValid(url, spCredentials.certificatePem)).toBe(true);
    expect(redirectSignatureValid(url, otherCredentials.certificatePem)).toBe(false);
    expect(redirectSignatureValid(url.replace('RelayState=stato-opaco-123', 'RelayState=stato-opaco-124'), spCredentials.certificatePem)).toBe(false);

    const xml = inflateRawSync(Buffer.from(params.get('SAMLRequest')!, 'base64')).toString('utf8');
    const request = parseXmlStrict(xml).documentElement!;
    expect(request.namespaceURI).toBe(NS.protocol);
    expect(request.localName).toBe('AuthnRequest');
    expect(request.getAttribute('ID')).toBe(requestId);
    expect(requestId).toMatch(/^_[0-9a-f]{40}$/);
    expect(request.getAttribute('Version')).toBe('2.0');
    expect(request.getAttribute('IssueInstant')).toBe('2026-12-03T10:00:00Z');
    expect(issueInstant).toBe('2026-12-03T10:00:00Z');
    expect(request.getAttribute('Destination')).toBe(idp.ssoRedirectUrl);
    expect(request.getAttribute('ForceAuthn')).toBe('true');
    expect(request.getAttribute('AssertionConsumerServiceURL')).toBe(sp.acsUrl);
    expect(request.getAttribute('ProtocolBinding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(request.getAttribute('AttributeConsumingServiceIndex')).toBe('0');
    expect(request.hasAttribute('IsPassive')).toBe(false);
    const issuer = Array.from(request.getElementsByTagNameNS(NS.assertion, 'Issuer'))[0]!;
    expect(issuer.textContent).toBe(sp.entityId);
    expect(issuer.getAttribute('NameQualifier')).toBe(sp.entityId);
    expect(issuer.getAttribute('Format')).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:entity');
    const policy = Array.from(request.getElementsByTagNameNS(NS.protocol, 'NameIDPolicy'))[0]!;
    expect(policy.getAttribute('Format')).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:transient');
    expect(policy.hasAttribute('AllowCreate')).toBe(false);
    const context = Array.from(request.getElementsByTagNameNS(NS.protocol, 'RequestedAuthnContext'))[0]!;
    expect(context.getAttribute('Comparison')).toBe('minimum');
    expect(Array.from(context.getElementsByTagNameNS(NS.assertion, 'AuthnContextClassRef')).map((e) => e.textContent)).toEqual(['https://www.spid.gov.it/SpidL2']);
  });

  it('asks for SpidL1 without ForceAuthn when told so, and a fresh ID every time', async () => {
    const a = await authnRequestRedirect(sp, idp, { relayState: 'r', now: T0, spidLevel: 'SpidL1' });
    const b = await authnRequestRedirect(sp, idp, { relayState: 'r', now: T0 });
    const xml = inflateRawSync(Buffer.from(new URL(a.url).searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    expect(xml).toContain('https://www.spid.gov.it/SpidL1');
    expect(xml).not.toContain('ForceAuthn');
    expect(a.requestId).not.toBe(b.requestId);
  });
});

describe('serviceProviderMetadata', () => {
  const xml = serviceProviderMetadata(sp);

  it('is signed by the SP key, and the signature covers the whole document', () => {
    expect(metadataSignatureValid(xml, [spCredentials.certificatePem])).toBe(true);
    expect(metadataSignatureValid(xml, [otherCredentials.certificatePem])).toBe(false);
    expect(metadataSignatureValid(xml.replace(sp.acsUrl, 'https://intruso.example.it/acs'), [spCredentials.certificatePem])).toBe(false);
    const root = parseXmlStrict(xml).documentElement!;
    const first = Array.from({ length: root.childNodes.length }, (_, i) => root.childNodes.item(i)).find((n) => n?.nodeType === 1) as unknown as { localName: string; namespaceURI: string };
    expect([first.namespaceURI, first.localName]).toEqual([NS.xmldsig, 'Signature']);
    expect(xml).toContain('<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>');
  });

  it('has the SPID elements of a public SP', () => {
    const doc = parseXmlStrict(xml);
    const one = (ns: string, name: string) => Array.from(doc.getElementsByTagNameNS(ns, name));
    expect(doc.documentElement!.getAttribute('entityID')).toBe(sp.entityId);
    const sso = one(NS.metadata, 'SPSSODescriptor')[0]!;
    expect(sso.getAttribute('AuthnRequestsSigned')).toBe('true');
    expect(sso.getAttribute('WantAssertionsSigned')).toBe('true');
    const key = one(NS.metadata, 'KeyDescriptor')[0]!;
    expect(key.getAttribute('use')).toBe('signing');
    expect(key.textContent!.replace(/\s/g, '')).toBe(certificateBody(sp.certificatePem));
    expect(one(NS.metadata, 'SingleLogoutService')[0]!.getAttribute('Location')).toBe(sp.sloUrl);
    const acs = one(NS.metadata, 'AssertionConsumerService');
    expect(acs.map((a) => [a.getAttribute('index'), a.getAttribute('isDefault'), a.getAttribute('Binding'), a.getAttribute('Location')])).toEqual([
      ['0', 'true', 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', sp.acsUrl],
    ]);
    expect(one(NS.metadata, 'AttributeConsumingService')[0]!.getAttribute('index')).toBe('0');
    expect(one(NS.metadata, 'RequestedAttribute').map((a) => a.getAttribute('Name'))).toEqual(['fiscalNumber', 'name', 'familyName', 'email']);
    expect(one(NS.metadata, 'OrganizationName')[0]!.getAttributeNS(NS.xml, 'lang')).toBe('it');
    const contact = one(NS.metadata, 'ContactPerson');
    expect(contact.map((c) => c.getAttribute('contactType'))).toEqual(['other']);
    expect(one(NS.spid, 'IPACode')[0]!.textContent).toBe('c_x000');
    expect(one(NS.spid, 'VATNumber')[0]!.textContent).toBe('IT00000000000');
    expect(one(NS.spid, 'Public')[0]!.childNodes.length).toBe(0);
    expect(one(NS.spid, 'Private')).toHaveLength(0);
    expect(one(NS.metadata, 'Company')[0]!.textContent).toBe(sp.organization.name);
    expect(one(NS.metadata, 'EmailAddress')[0]!.textContent).toBe(sp.contact.email);
    expect(one(NS.metadata, 'TelephoneNumber')[0]!.textContent).toBe('+39060000000');
  });
});

describe('parseIdentityProviderMetadata', () => {
  const spidIdp = identityProviderMetadata({ entityId: 'https://id.example.it', ...idpCredentials, ssoUrl: 'https://id.example.it/sso', displayName: 'Esempio ID' });

  it('reads a SPID-registry-like aggregate, leaving out what is not a usable IdP', () => {
    const strip = (x: string) => x.replace(/^<\?xml[^>]*\?>\s*/, '');
    const aggregate = `<?xml version="1.0" encoding="UTF-8"?>
<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Name="https://registry.example.it">
  ${strip(spidIdp)}
  <md:EntityDescriptor entityID="https://altro-id.example.it">
    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
        ${certificateBody(otherCredentials.certificatePem).replace(/(.{64})/g, '$1\n        ')}
      </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
      <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(idpCredentials.certificatePem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
      <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://altro-id.example.it/slo"/>
      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://altro-id.example.it/sso-post"/>
      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://altro-id.example.it/sso"/>
    </md:IDPSSODescriptor>
    <md:Organization><md:OrganizationName xml:lang="en">Other ID</md:OrganizationName><md:OrganizationDisplayName xml:lang="it">Altro ID</md:OrganizationDisplayName><md:OrganizationURL xml:lang="it">https://altro-id.example.it</md:OrganizationURL></md:Organization>
  </md:EntityDescriptor>
  <md:EntityDescriptor entityID="https://solo-post.example.it">
    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(idpCredentials.certificatePem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://solo-post.example.it/sso"/>
    </md:IDPSSODescriptor>
  </md:EntityDescriptor>
  <md:EntityDescriptor entityID="https://un-sp.example.it"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>
</md:EntitiesDescriptor>`;
    const idps = parseIdentityProviderMetadata(aggregate, 'spid');
    expect(idps).toEqual([
      {
        entityId: 'https://id.example.it',
        displayName: 'Esempio ID',
        scheme: 'spid',
        ssoRedirectUrl: 'https://id.example.it/sso',
        signingCertificates: [certificateBody(idpCredentials.certificatePem)],
      },
      {
        entityId: 'https://altro-id.example.it',
        displayName: 'Altro ID',
        scheme: 'spid',
        ssoRedirectUrl: 'https://altro-id.example.it/sso',
        sloRedirectUrl: 'https://altro-id.example.it/slo',
        signingCertificates: [certificateBody(otherCredentials.certificatePem)],
      },
    ]);
  });

  it('reads one EntityDescriptor (CIE) and checks its signature when given the signers', () => {
    expect(parseIdentityProviderMetadata(spidIdp, 'cie', { trustedSigners: [idpCredentials.certificatePem] }).map((i) => [i.entityId, i.scheme])).toEqual([['https://id.example.it', 'cie']]);
    expect(() => parseIdentityProviderMetadata(spidIdp, 'cie', { trustedSigners: [otherCredentials.certificatePem] })).toThrow(/signature/);
  });

  it('refuses a DTD and what is not metadata', () => {
    expect(() => parseIdentityProviderMetadata(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>${spidIdp.replace(/^<\?xml[^>]*\?>/, '')}`, 'spid')).toThrow(/DTD/);
    expect(() => parseIdentityProviderMetadata('<html/>', 'spid')).toThrow(/not SAML metadata/);
    expect(() => parseIdentityProviderMetadata('<md:EntityDescriptor', 'spid')).toThrow();
  });
});

describe('generateServiceProviderCredentials', () => {
  it('makes a self-signed RSA 2048 SHA-256 certificate for the key', () => {
    const c = generateServiceProviderCredentials('Comune di Prova', { now: T0, days: 365 });
    const x = new X509Certificate(c.certificatePem);
    expect(x.subject).toContain('CN=Comune di Prova');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(c.privateKeyPem))).toBe(true);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Date(x.validTo).getTime() - T0.getTime()).toBe(365 * 86_400_000);
    expect(x.ca).toBe(false);
    expect(certificatePem(certificateBody(c.certificatePem))).toBe(c.certificatePem);
  });
});

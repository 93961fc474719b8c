/**
 * The SP metadata for the CIE SAML federation ("Entra con CIE"), as
 * italia/cie-eid-saml-docs@86a21e8cc5683cc32df54494777ff123c831cb17:docs/it/federazione.rst asks:
 * signed, one administrative ContactPerson with the CIE extensions, the eIDAS minimum dataset only.
 */
import type { Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import {
  CIE_METADATA_NS,
  NS,
  certificateBody,
  cieServiceProviderMetadata,
  metadataSignatureValid,
  parseXmlStrict,
  serviceProviderMetadata,
} from '../../../shared/adapters/spid-saml';
import { otherCredentials, sp, spCredentials } from './fixtures';

const CIE = 'https://www.cartaidentita.interno.gov.it/saml-extensions';

describe('cieServiceProviderMetadata', () => {
  const xml = cieServiceProviderMetadata(sp, { municipality: 'H501', ipaCategory: 'L6' });
  const doc = parseXmlStrict(xml);
  const all = (ns: string, name: string) => Array.from(doc.getElementsByTagNameNS(ns, name));

  it('is signed by the SP key, the signature comes first, and tampering breaks it', () => {
    expect(metadataSignatureValid(xml, [spCredentials.certificatePem])).toBe(true);
    expect(metadataSignatureValid(xml, [otherCredentials.certificatePem])).toBe(false);
    expect(metadataSignatureValid(xml.replace('>H501<', '>F205<'), [spCredentials.certificatePem])).toBe(false);
    expect(metadataSignatureValid(xml.replace(sp.acsUrl, 'https://intruso.example.it/acs'), [spCredentials.certificatePem])).toBe(false);
    const root = doc.documentElement!;
    const first = Array.from({ length: root.childNodes.length }, (_, i) => root.childNodes.item(i)).find((n) => n?.nodeType === 1) as unknown as { localName: string; namespaceURI: string };
    expect([first.namespaceURI, first.localName]).toEqual([NS.xmldsig, 'Signature']);
    expect(xml).toContain('<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>');
  });

  it('has one EntityDescriptor with the SPSSODescriptor CIE asks for', () => {
    const root = doc.documentElement!;
    expect([root.namespaceURI, root.localName, root.getAttribute('entityID')]).toEqual([NS.metadata, 'EntityDescriptor', sp.entityId]);
    const sso = all(NS.metadata, 'SPSSODescriptor');
    expect(sso).toHaveLength(1);
    expect(sso[0]!.getAttribute('protocolSupportEnumeration')).toBe('urn:oasis:names:tc:SAML:2.0:protocol');
    expect(sso[0]!.getAttribute('AuthnRequestsSigned')).toBe('true');
    expect(sso[0]!.getAttribute('WantAssertionsSigned')).toBe('true');
    const key = all(NS.metadata, 'KeyDescriptor');
    expect(key.map((k) => k.getAttribute('use'))).toEqual(['signing']);
    expect(key[0]!.textContent!.replace(/\s/g, '')).toBe(certificateBody(sp.certificatePem));
    expect(all(NS.metadata, 'SingleLogoutService').map((s) => [s.getAttribute('Binding'), s.getAttribute('Location')])).toEqual([
      ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', sp.sloUrl],
    ]);
    expect(all(NS.metadata, 'NameIDFormat').map((n) => n.textContent)).toEqual(['urn:oasis:names:tc:SAML:2.0:nameid-format:transient']);
    expect(all(NS.metadata, 'AssertionConsumerService').map((a) => [a.getAttribute('index'), a.getAttribute('isDefault'), a.getAttribute('Location')])).toEqual([
      ['0', 'true', sp.acsUrl],
    ]);
  });

  it('requests only the eIDAS minimum dataset: no email', () => {
    const acs = all(NS.metadata, 'AttributeConsumingService');
    expect(acs.map((a) => a.getAttribute('index'))).toEqual([String(sp.attributeConsumingServiceIndex)]);
    const names = all(NS.metadata, 'RequestedAttribute').map((a) => a.getAttribute('Name'));
    expect(names).toEqual(['name', 'familyName', 'dateOfBirth', 'fiscalNumber']);
    expect(names).not.toContain('email');
    expect(xml).not.toMatch(/Name="email"/);
    const serviceName = all(NS.metadata, 'ServiceName')[0]!;
    expect(serviceName.textContent).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(serviceName.getAttributeNS(NS.xml, 'lang')).toBe('');
  });

  it('has one administrative ContactPerson with the CIE extensions', () => {
    expect(CIE_METADATA_NS).toBe(CIE);
    const contacts = all(NS.metadata, 'ContactPerson');
    expect(contacts.map((c) => c.getAttribute('contactType'))).toEqual(['administrative']);
    const ext = all(NS.metadata, 'Extensions');
    expect(ext).toHaveLength(1);
    const elements = Array.from({ length: ext[0]!.childNodes.length }, (_, i) => ext[0]!.childNodes.item(i))
      .filter((n) => n?.nodeType === 1)
      .map((n) => n as unknown as Element);
    expect(elements.map((e) => [e.namespaceURI, e.localName, e.textContent])).toEqual([
      [CIE, 'Public', ''],
      [CIE, 'IPACode', 'c_x000'],
      [CIE, 'IPACategory', 'L6'],
      [CIE, 'VATNumber', 'IT00000000000'],
      [CIE, 'Municipality', 'H501'],
    ]);
    expect(all(NS.spid, 'Public')).toHaveLength(0);
    expect(all(CIE, 'Private')).toHaveLength(0);
    expect(all(NS.metadata, 'OrganizationName').map((o) => [o.getAttributeNS(NS.xml, 'lang'), o.textContent])).toEqual([['it', sp.organization.name]]);
    expect(all(NS.metadata, 'Company').map((c) => c.textContent)).toEqual([all(NS.metadata, 'OrganizationName')[0]!.textContent]);
    expect(all(NS.metadata, 'EmailAddress').map((c) => c.textContent)).toEqual([sp.contact.email]);
    expect(all(NS.metadata, 'TelephoneNumber').map((c) => c.textContent)).toEqual(['+39060000000']);
  });

  it('leaves IPACategory out when not given, and is stable', () => {
    const bare = cieServiceProviderMetadata(sp, { municipality: 'F205' });
    const d = parseXmlStrict(bare);
    expect(d.getElementsByTagNameNS(CIE, 'IPACategory').length).toBe(0);
    expect(d.getElementsByTagNameNS(CIE, 'Municipality').item(0)!.textContent).toBe('F205');
    expect(metadataSignatureValid(bare, [spCredentials.certificatePem])).toBe(true);
    expect(cieServiceProviderMetadata(sp, { municipality: 'H501', ipaCategory: 'L6' })).toBe(xml);
  });

  it('refuses a municipality that is not a Belfiore code, and what CIE makes mandatory', () => {
    for (const municipality of ['', 'H50', 'H5011', '501H', 'h501', 'H 501', 'Roma', 'W1F 9AS']) {
      expect(() => cieServiceProviderMetadata(sp, { municipality })).toThrow(/municipality must be the Belfiore/);
    }
    expect(() => cieServiceProviderMetadata(sp, { municipality: 'H501', ipaCategory: 'L 6' })).toThrow(/ipaCategory/);
    expect(() => cieServiceProviderMetadata({ ...sp, contact: { ...sp.contact, ipaCode: undefined } }, { municipality: 'H501' })).toThrow(/ipaCode/);
    expect(() => cieServiceProviderMetadata({ ...sp, sloUrl: undefined }, { municipality: 'H501' })).toThrow(/SingleLogoutService/);
  });

  it('leaves the SPID metadata as it was', () => {
    const spid = serviceProviderMetadata(sp);
    expect(spid).not.toContain(CIE);
    const d = parseXmlStrict(spid);
    expect(Array.from(d.getElementsByTagNameNS(NS.metadata, 'ContactPerson')).map((c) => c.getAttribute('contactType'))).toEqual(['other']);
    expect(Array.from(d.getElementsByTagNameNS(NS.metadata, 'RequestedAttribute')).map((a) => a.getAttribute('Name'))).toEqual(['fiscalNumber', 'name', 'familyName', 'email']);
  });
});

/**
 * SAML 2 and SPID constants. The SPID values are those of the SPID technical rules (regole
 * tecniche SPID, https://docs.italia.it/italia/spid/spid-regole-tecniche/) as pagoPA's own SP
 * library uses them (pagopa/io-spid-commons@1a53850:src/config.ts and src/utils/samlUtils.ts).
 */
export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  xmldsig: 'http://www.w3.org/2000/09/xmldsig#',
  xml: 'http://www.w3.org/XML/1998/namespace',
  spid: 'https://spid.gov.it/saml-extensions',
} as const;

export const BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

export const NAMEID_TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
/** the Format of every Issuer in SPID messages */
export const NAMEID_ENTITY = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';
export const ATTRNAME_BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';
export const CM_BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export const STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  authnFailed: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
  requestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  noAuthnContext: 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext',
  /** second-level status of a Single Logout that could not reach every session (regole tecniche SPID, Single Logout) */
  partialLogout: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
} as const;

export type SpidLevel = 'SpidL1' | 'SpidL2' | 'SpidL3';
export const SPID_LEVELS: Readonly<Record<SpidLevel, string>> = {
  SpidL1: 'https://www.spid.gov.it/SpidL1',
  SpidL2: 'https://www.spid.gov.it/SpidL2',
  SpidL3: 'https://www.spid.gov.it/SpidL3',
};
export const LEVEL_RANK: Readonly<Record<SpidLevel, number>> = { SpidL1: 1, SpidL2: 2, SpidL3: 3 };

export function spidLevelOf(classRef: string): SpidLevel | undefined {
  return (Object.keys(SPID_LEVELS) as SpidLevel[]).find((level) => SPID_LEVELS[level] === classRef);
}

/** the attributes this SP asks for (SPID attribute names, tabella attributi SPID) and their Italian names */
export const REQUESTED_ATTRIBUTES = [
  { name: 'fiscalNumber', friendlyName: 'Codice fiscale' },
  { name: 'name', friendlyName: 'Nome' },
  { name: 'familyName', friendlyName: 'Cognome' },
  { name: 'email', friendlyName: 'Email' },
] as const;

export const ALGORITHMS = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  envelopedSignature: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

/**
 * Signature algorithms accepted on an IdP's response: the SPID technical rules ask for SHA-256 or
 * stronger; HMAC is refused as io-spid-commons does (notSignedWithHmacPredicate).
 */
export const ACCEPTED_SIGNATURE_ALGORITHMS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
]);

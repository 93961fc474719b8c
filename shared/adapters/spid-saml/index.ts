/**
 * Sign-in with SPID and CIE: this counter as a SAML 2 service provider, framework-free (it runs
 * in AWS Lambda: no express, no Redis). node-saml (@node-saml/node-saml, the maintained core of
 * passport-saml, which pagoPA's @pagopa/io-spid-commons builds on) builds and signs the
 * AuthnRequest and verifies the signatures; xml-crypto and @xmldom/xmldom do what it does not
 * (SPID's request details, the signed SPID metadata); the SPID checks on the answer are those of
 * io-spid-commons.
 *
 * CIE over SAML, not OpenID Connect, for a first version: the Ministry of the Interior's CIE ID
 * still runs a SAML 2 IdP (io-spid-commons knows its entityIDs:
 * https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO and the preproduzione /
 * collaudo ones, src/config.ts), so one SP implementation and one set of checks serve both
 * schemes, with a metadata for each federation (serviceProviderMetadata for AgID's SPID,
 * cieServiceProviderMetadata for the Ministry's CIE: other ContactPerson and attribute set);
 * "Entra con CIE" over OIDC needs onboarding into the OpenID Connect Federation (entity
 * configuration, trust marks, automatic registration) before a single login, which can come
 * later behind the same IdentityGateway port.
 *
 * Single Logout (logout.ts): the SP-initiated LogoutRequest and the check of the IdP's
 * LogoutResponse, the check of an IdP-initiated LogoutRequest and our LogoutResponse, all in the
 * HTTP-Redirect binding at the SP's SingleLogoutService (`sloUrl`, published in the metadata).
 */
export { authnRequestRedirect, samlInstant, type AuthnRequestRedirect } from './authn-request';
export { generateServiceProviderCredentials, type ServiceProviderCredentials } from './credentials';
export {
  REDIRECT_SIGNATURE_ALGORITHMS,
  logoutRequestRedirect,
  logoutResponseRedirect,
  signedRedirectUrl,
  sloMessageKind,
  verifyLogoutRequest,
  verifyLogoutResponse,
  type ExpectedLogoutResponse,
  type LogoutRequestRedirect,
  type VerifiedLogoutRequest,
  type VerifiedLogoutResponse,
} from './logout';
export {
  CIE_METADATA_NS,
  CIE_REQUESTED_ATTRIBUTES,
  cieServiceProviderMetadata,
  metadataSignatureValid,
  parseIdentityProviderMetadata,
  serviceProviderMetadata,
  signEnveloped,
  type CieMetadataOptions,
} from './metadata';
export { verifySamlResponse, type ExpectedResponse } from './response';
export { SamlResponseRejected, type IdentityProvider, type SamlRejectionReason, type ServiceProvider } from './types';
export {
  ALGORITHMS,
  ATTRNAME_BASIC,
  BINDING,
  CM_BEARER,
  NAMEID_ENTITY,
  NAMEID_TRANSIENT,
  NS,
  REQUESTED_ATTRIBUTES,
  SPID_LEVELS,
  STATUS,
  spidLevelOf,
  type SpidLevel,
} from './constants';
export { certificateBody, certificatePem, elementBuilder, parseXmlStrict, serializeXml, type AddElement } from './xml';

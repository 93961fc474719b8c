import type { SpidLevel } from './constants';

/** This service provider (the municipality's citizen counter), as registered with AgID / the CIE federation. */
export interface ServiceProvider {
  /** the SP's entityID (an https URL in production) */
  readonly entityId: string;
  /** the Assertion Consumer Service (HTTP-POST binding), index 0 of the metadata */
  readonly acsUrl: string;
  /** the Single Logout Service (HTTP-Redirect binding); SPID asks for one in the metadata */
  readonly sloUrl?: string;
  /** PEM (PKCS#8 or PKCS#1) of the key that signs the AuthnRequests and the metadata */
  readonly privateKeyPem: string;
  /** PEM of its certificate, published in the metadata */
  readonly certificatePem: string;
  /** the level asked for by default: SpidL2 */
  readonly spidLevel: SpidLevel;
  /** index of the AttributeConsumingService (fiscalNumber, name, familyName, email) in the metadata */
  readonly attributeConsumingServiceIndex: number;
  readonly organization: { readonly name: string; readonly displayName: string; readonly url: string };
  /** the SPID `ContactPerson contactType="other"` of a public SP (Avviso SPID n. 29 v3) */
  readonly contact: {
    /** codice IPA of the entity: required for a public SP in production */
    readonly ipaCode?: string;
    /** partita IVA with the ISO 3166 prefix, e.g. IT01234567890 */
    readonly vatNumber?: string;
    readonly fiscalCode?: string;
    readonly email: string;
    /** without spaces, starting with +39 */
    readonly telephone?: string;
  };
}

/** An identity provider: one of the SPID registry's, or CIE's SAML IdP. */
export interface IdentityProvider {
  readonly entityId: string;
  readonly displayName: string;
  readonly scheme: 'spid' | 'cie';
  /** SingleSignOnService, HTTP-Redirect binding */
  readonly ssoRedirectUrl: string;
  /** SingleLogoutService, HTTP-Redirect binding: where LogoutRequests go (and LogoutResponses, unless ResponseLocation says otherwise) */
  readonly sloRedirectUrl?: string;
  /** the HTTP-Redirect SingleLogoutService's ResponseLocation, when the IdP publishes one: where LogoutResponses go */
  readonly sloResponseRedirectUrl?: string;
  /** the IdP's signing certificates (bare base64 or PEM) from its metadata */
  readonly signingCertificates: readonly string[];
}

export type SamlRejectionReason =
  | 'malformed'
  | 'unsigned'
  | 'bad-signature'
  | 'wrong-issuer'
  | 'wrong-destination'
  | 'wrong-audience'
  | 'in-response-to'
  | 'expired'
  | 'not-yet-valid'
  | 'authn-failed'
  | 'logout-failed'
  | 'level'
  | 'attributes';

/**
 * A SAML Response refused. `message` is English and carries no personal data (no fiscal code,
 * name or e-mail): it may be logged. `spidErrorCode` is the SPID error code of an IdP's error
 * status (`ErrorCode nr19` → '19'; tabella codici di errore SPID: 19 too many attempts, 20 no
 * credentials for the level, 21 timeout, 22 consent denied, 23 identity suspended/revoked,
 * 25 the citizen cancelled) so the page can explain it.
 */
export class SamlResponseRejected extends Error {
  constructor(
    readonly reason: SamlRejectionReason,
    message: string,
    readonly spidErrorCode?: string,
  ) {
    super(message);
    this.name = 'SamlResponseRejected';
  }
}

/**
 * The ports of the citizen's counter (sportello del cittadino, /cittadino/): who the citizen is
 * (asserted by a SPID or CIE identity provider), their short-lived session, and pagoPA Checkout,
 * where their cart of notices is paid. Adapters implement them; the use cases beside this file
 * own them.
 */

/** What a SPID or CIE identity provider asserted about the citizen, once the assertion was verified. */
export interface CitizenIdentity {
  /** the codice fiscale, upper case, without SPID's `TINIT-` prefix */
  readonly fiscalNumber: string;
  readonly name: string;
  readonly familyName: string;
  readonly email?: string;
  /** the authentication level the IdP asserted */
  readonly spidLevel: 'SpidL1' | 'SpidL2' | 'SpidL3';
  /** entityID of the identity provider that signed the assertion */
  readonly identityProvider: string;
  readonly scheme: 'spid' | 'cie';
  /** the assertion's ID: an assertion is accepted once */
  readonly assertionId: string;
  /** ISO-8601 UTC: the assertion's SubjectConfirmationData/@NotOnOrAfter */
  readonly notOnOrAfter: string;
  /** for the logout request */
  readonly nameId: string;
  readonly sessionIndex?: string;
}

// ---- pagoPA Checkout (Checkout EC API, pagopa-api openapi/checkout_v1.json, POST /carts) -------

/** One notice of a cart, as Checkout's `PaymentNotice`. */
export interface CheckoutNotice {
  /** 18 digits */
  readonly noticeNumber: string;
  /** the creditor's fiscal code, 11 digits */
  readonly fiscalCode: string;
  /** integer euro cents, ≥ 1 */
  readonly amount: number;
  /** ≤ 140 characters */
  readonly companyName: string;
  /** ≤ 140 characters */
  readonly description: string;
}

export interface CheckoutCartRequest {
  /** our id of the cart; Checkout hands it to the station as paGetPayment's `paymentNote` */
  readonly idCart: string;
  /** 1..5 notices, no two with the same (fiscalCode, noticeNumber) */
  readonly paymentNotices: readonly CheckoutNotice[];
  readonly returnUrls: { readonly returnOkUrl: string; readonly returnCancelUrl: string; readonly returnErrorUrl: string };
  /** where Checkout sends the outcome e-mail */
  readonly emailNotice?: string;
}

/**
 * Thrown by a CheckoutCarts adapter:
 * - 'not-configured': the tenant has no Checkout subscription key;
 * - 'refused': Checkout answered 4xx (a notice not payable, a malformed cart); `detail` is its ProblemJson detail;
 * - 'unavailable': Checkout answered 5xx, timed out or could not be reached.
 */
export class CheckoutError extends Error {
  constructor(
    readonly kind: 'not-configured' | 'refused' | 'unavailable',
    message: string,
    readonly status?: number,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'CheckoutError';
  }
}

export interface CheckoutCarts {
  /**
   * POST /carts with the tenant's own Checkout subscription key: the URL Checkout answered in
   * its 302 `Location`, where the citizen's browser is sent to pay. Throws CheckoutError.
   */
  create(organizationFiscalCode: string, cart: CheckoutCartRequest): Promise<{ readonly checkoutUrl: string }>;
}

// ---- sign-in (SAML 2: SPID, CIE) -----------------------------------------------------------

/** An identity provider the citizen can choose on the sign-in page. */
export interface IdentityProviderChoice {
  readonly entityId: string;
  readonly displayName: string;
  readonly scheme: 'spid' | 'cie';
}

/** A sign-in started and not yet completed: the AuthnRequest the IdP must answer. */
export interface PendingSignIn {
  /** the AuthnRequest's ID: the answer's InResponseTo */
  readonly requestId: string;
  readonly identityProvider: string;
  /** ISO-8601 UTC */
  readonly issuedAt: string;
  /** the counter page to go back to after sign-in (a path under /cittadino/) */
  readonly returnTo: string;
}

/**
 * The SAML service provider: the signed AuthnRequest (HTTP-Redirect binding), the verified
 * answer (HTTP-POST binding), the SP metadata, and the identity providers it trusts (their
 * metadata read from the SPID registry and the CIE metadata, refreshed).
 */
export interface IdentityGateway {
  identityProviders(): Promise<readonly IdentityProviderChoice[]>;
  /** throws UseCaseError('not-found') for an IdP it does not trust */
  authnRequest(identityProvider: string, relayState: string, now: Date): Promise<{ readonly url: string; readonly requestId: string }>;
  /** throws SignInRefused when the answer is not a valid, signed assertion for this request */
  verify(samlResponse: string, expected: PendingSignIn, now: Date): Promise<CitizenIdentity>;
  /** the SP's signed metadata: SPID's profile, or CIE's (undefined when CIE's is not configured) */
  metadata(scheme?: 'spid' | 'cie'): Promise<string | undefined>;
  /**
   * A signed LogoutRequest for the IdP session that opened this one (SP-initiated Single Logout):
   * the URL to send the browser to; undefined when the IdP publishes no SingleLogoutService.
   */
  logoutRequest(identityProvider: string, subject: { readonly nameId: string; readonly sessionIndex?: string }, relayState: string, now: Date): Promise<{ readonly url: string; readonly requestId: string } | undefined>;
  /** the IdP's LogoutResponse (the redirect's raw query string); throws SignInRefused */
  verifyLogoutResponse(rawQuery: string, expected: PendingLogout, now: Date): Promise<void>;
  /** an IdP-initiated LogoutRequest (the redirect's raw query string); throws SignInRefused */
  verifyLogoutRequest(rawQuery: string, now: Date): Promise<IdpLogoutRequest>;
  /** the signed LogoutResponse to send the browser back to the IdP with */
  logoutResponse(identityProvider: string, inResponseTo: string, relayState: string | undefined, now: Date): Promise<string>;
}

/** An SP-initiated logout waiting for the IdP's answer. */
export interface PendingLogout {
  readonly requestId: string;
  readonly identityProvider: string;
  readonly issuedAt: string;
}

export interface IdpLogoutRequest {
  readonly identityProvider: string;
  readonly requestId: string;
  readonly nameId: string;
  readonly sessionIndex?: string;
  readonly relayState?: string;
}

/** Pending SP-initiated logouts, keyed by their RelayState, each taken once. */
export interface PendingLogouts {
  save(relayState: string, logout: PendingLogout, expiresAt: Date): Promise<void>;
  consume(relayState: string): Promise<PendingLogout | undefined>;
}

/** Why a sign-in was refused, in words a citizen can be shown (no personal data). */
export class SignInRefused extends Error {
  constructor(
    readonly reason: string,
    message: string,
    /** SPID's ErrorCode (e.g. 19 too many attempts, 25 cancelled by the user) when the IdP sent one */
    readonly spidErrorCode?: number,
  ) {
    super(message);
    this.name = 'SignInRefused';
  }
}

/**
 * Pending sign-ins, keyed by the RelayState sent with the AuthnRequest (a random token, opaque
 * to the IdP, that comes back with its answer): the ACS finds the request it must check the
 * answer's InResponseTo against.
 */
export interface SignInRequests {
  save(relayState: string, request: PendingSignIn, expiresAt: Date): Promise<void>;
  /** the request, removed so that it cannot be answered twice; undefined when unknown, expired or used */
  consume(relayState: string): Promise<PendingSignIn | undefined>;
}

export interface AssertionLedger {
  /** true the first time an assertion id is seen (kept until `until`), false on a replay */
  firstUse(identityProvider: string, assertionId: string, until: Date): Promise<boolean>;
}

// ---- sessions -------------------------------------------------------------------------------

export interface CitizenSession {
  readonly fiscalNumber: string;
  readonly name: string;
  readonly familyName: string;
  readonly email?: string;
  readonly spidLevel: CitizenIdentity['spidLevel'];
  readonly identityProvider: string;
  readonly scheme: CitizenIdentity['scheme'];
  /** the assertion's NameID and SessionIndex: what a Single Logout names */
  readonly nameId: string;
  readonly sessionIndex?: string;
  /** per-session token every form of the counter carries (CSRF) */
  readonly formToken: string;
  /** ISO-8601 UTC */
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface CitizenSessions {
  /** `key` is a digest of the cookie's token: the token itself is never stored */
  create(key: string, session: CitizenSession): Promise<void>;
  get(key: string): Promise<CitizenSession | undefined>;
  delete(key: string): Promise<void>;
  /** every session the IdP's session with this NameID opened (an IdP-initiated logout ends them) */
  deleteByNameId(identityProvider: string, nameId: string): Promise<number>;
}

/** A cart handed to Checkout, kept to show the citizen its outcome when they come back. */
export interface CitizenCart {
  readonly idCart: string;
  /** digest of the citizen's fiscal code: only its owner sees the cart */
  readonly owner: string;
  readonly organizationFiscalCode: string;
  readonly notices: readonly { readonly iupd: string; readonly nav: string; readonly amount: number; readonly description: string }[];
  readonly createdAt: string;
}

export interface CitizenCarts {
  save(cart: CitizenCart, expiresAt: Date): Promise<void>;
  get(idCart: string): Promise<CitizenCart | undefined>;
}

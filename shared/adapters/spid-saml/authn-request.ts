/**
 * The SPID AuthnRequest, HTTP-Redirect binding. node-saml (@node-saml/node-saml, the maintained
 * core of passport-saml) builds the request, deflates it and signs the query string
 * (SAMLRequest, RelayState, SigAlg → Signature, RSA-SHA256). SPID's own details are applied to
 * its XML the way pagoPA's io-spid-commons does to passport-saml's
 * (pagopa/io-spid-commons@1a53850:src/utils/samlUtils.ts getAuthorizeRequestTamperer and
 * src/strategy/saml_client.ts CustomSamlClient.generateAuthorizeRequest): the Issuer gets
 * NameQualifier = the SP entityID and Format = …nameid-format:entity, and NameIDPolicy loses
 * AllowCreate. ForceAuthn is set above SpidL1, RequestedAuthnContext has Comparison="minimum".
 */
import { randomBytes } from 'node:crypto';
import { SAML, type SamlConfig } from '@node-saml/node-saml';
import { NAMEID_ENTITY, NAMEID_TRANSIENT, NS, SPID_LEVELS, type SpidLevel } from './constants';
import type { IdentityProvider, ServiceProvider } from './types';
import { child, parseXmlStrict, serializeXml } from './xml';

/** an xs:dateTime without fractional seconds, as the SPID examples write it */
export const samlInstant = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

class SpidAuthnRequestClient extends SAML {
  constructor(
    config: SamlConfig,
    readonly spidTamper: (xml: string) => string,
  ) {
    super(config);
  }

  // io-spid-commons does the same over passport-saml (CustomSamlClient.generateAuthorizeRequest)
  protected override async generateAuthorizeRequestAsync(isPassive: boolean, isHttpPostBinding: boolean): Promise<string> {
    return this.spidTamper(await super.generateAuthorizeRequestAsync(isPassive, isHttpPostBinding));
  }
}

/** node-saml's options for this SP and IdP (shared by the request and the response side) */
export function nodeSamlConfig(sp: ServiceProvider, idp: IdentityProvider, extra: Partial<SamlConfig> = {}): SamlConfig {
  if (idp.signingCertificates.length === 0) throw new Error(`the identity provider ${idp.entityId} has no signing certificate`);
  return {
    entryPoint: idp.ssoRedirectUrl,
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    idpCert: [...idp.signingCertificates],
    idpIssuer: idp.entityId,
    privateKey: sp.privateKeyPem,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    identifierFormat: NAMEID_TRANSIENT,
    racComparison: 'minimum',
    attributeConsumingServiceIndex: String(sp.attributeConsumingServiceIndex),
    // the single use of request IDs is the caller's (a store shared by the Lambdas), not node-saml's in-memory cache
    validateInResponseTo: 'never' as SamlConfig['validateInResponseTo'],
    wantAssertionsSigned: true,
    // SPID: the Assertion must be signed, the Response may be (regole tecniche, Response); when it is, it is verified
    wantAuthnResponseSigned: false,
    // the time checks are ours, against the `now` the caller hands in (verifySamlResponse)
    acceptedClockSkewMs: -1,
    audience: false,
    ...extra,
  };
}

export interface AuthnRequestRedirect {
  /** the IdP's SSO URL with SAMLRequest, RelayState, SigAlg and Signature */
  readonly url: string;
  /** the AuthnRequest's ID: the Response's InResponseTo must be it (keep it, use it once) */
  readonly requestId: string;
  /** ISO-8601 UTC: the AuthnRequest's IssueInstant (the Response must not be older) */
  readonly issueInstant: string;
  readonly spidLevel: SpidLevel;
}

export async function authnRequestRedirect(
  sp: ServiceProvider,
  idp: IdentityProvider,
  options: { relayState: string; now: Date; spidLevel?: SpidLevel },
): Promise<AuthnRequestRedirect> {
  const level = options.spidLevel ?? sp.spidLevel;
  // an xs:ID must not start with a digit
  const requestId = `_${randomBytes(20).toString('hex')}`;
  const issueInstant = samlInstant(options.now);
  const tamper = (xml: string): string => {
    const doc = parseXmlStrict(xml);
    const request = doc.documentElement!;
    request.setAttribute('IssueInstant', issueInstant);
    const issuer = child(request, NS.assertion, 'Issuer');
    if (!issuer) throw new Error('node-saml built an AuthnRequest without Issuer');
    issuer.setAttribute('NameQualifier', sp.entityId);
    issuer.setAttribute('Format', NAMEID_ENTITY);
    child(request, NS.protocol, 'NameIDPolicy')?.removeAttribute('AllowCreate');
    return serializeXml(doc);
  };
  const client = new SpidAuthnRequestClient(
    nodeSamlConfig(sp, idp, {
      authnContext: [SPID_LEVELS[level]],
      forceAuthn: level !== 'SpidL1',
      generateUniqueId: () => requestId,
    }),
    tamper,
  );
  const url = await client.getAuthorizeUrlAsync(options.relayState, undefined, {});
  return { url, requestId, issueInstant, spidLevel: level };
}

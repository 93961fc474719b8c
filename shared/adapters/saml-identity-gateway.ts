/**
 * The IdentityGateway port over the SAML service provider (shared/adapters/spid-saml): signed
 * AuthnRequests, verified answers, the SP metadata, and the trusted identity providers read
 * from their published metadata — the SPID registry's aggregate of every SPID IdP and CIE's own
 * SAML metadata — refreshed every `refreshMs` (a failed refresh keeps the last good list and
 * is retried at the next request after `retryMs`; a list never loaded is empty, so the sign-in
 * page says so instead of failing).
 */
import { SignInRefused, type CitizenIdentity, type IdentityGateway, type IdentityProviderChoice, type IdpLogoutRequest, type PendingLogout, type PendingSignIn } from '../use-cases/citizens/ports';
import {
  SamlResponseRejected,
  authnRequestRedirect,
  cieServiceProviderMetadata,
  logoutRequestRedirect,
  logoutResponseRedirect,
  parseIdentityProviderMetadata,
  verifyLogoutRequest,
  verifyLogoutResponse,
  serviceProviderMetadata,
  verifySamlResponse,
  type CieMetadataOptions,
  type IdentityProvider,
  type ServiceProvider,
} from './spid-saml';

/** A SAML refusal as the port's SignInRefused (English, no personal data); anything else as it is. */
function asSignInRefused(error: unknown): unknown {
  if (!(error instanceof SamlResponseRejected)) return error;
  const code = error.spidErrorCode === undefined ? undefined : Number(error.spidErrorCode);
  return new SignInRefused(error.reason, error.message, code !== undefined && Number.isInteger(code) ? code : undefined);
}

function refused<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw asSignInRefused(error);
  }
}

export interface MetadataSource {
  readonly url: string;
  readonly scheme: 'spid' | 'cie';
}

export interface SamlGatewayOptions {
  /** the SP, or how to get it once (its key comes from Secrets Manager on AWS) */
  readonly sp: ServiceProvider | (() => Promise<ServiceProvider>);
  readonly metadata: readonly MetadataSource[];
  readonly refreshMs?: number;
  readonly retryMs?: number;
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
  /** told when a metadata source cannot be read (no personal data in it) */
  readonly onMetadataError?: (source: MetadataSource, error: Error) => void;
  /** what CIE's own metadata adds (the Belfiore code); absent: no CIE metadata is published */
  readonly cie?: CieMetadataOptions;
}

export class SamlIdentityGateway implements IdentityGateway {
  private providers = new Map<string, IdentityProvider>();
  private loadedAt = 0;
  private failedAt = 0;
  private loading: Promise<void> | undefined;
  private signedMetadata: string | undefined;
  private cieMetadata: string | undefined;

  private sp: Promise<ServiceProvider> | undefined;

  constructor(private readonly options: SamlGatewayOptions) {}

  private serviceProvider(): Promise<ServiceProvider> {
    const given = this.options.sp;
    const sp =
      this.sp ??
      (typeof given === 'function' ? given() : Promise.resolve(given)).catch((error: unknown) => {
        this.sp = undefined; // asked again at the next request
        throw error;
      });
    this.sp = sp;
    return sp;
  }

  private async load(): Promise<void> {
    const fetchImpl = this.options.fetchImpl ?? fetch;
    const next = new Map<string, IdentityProvider>();
    let failures = 0;
    for (const source of this.options.metadata) {
      try {
        const response = await fetchImpl(source.url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        for (const idp of parseIdentityProviderMetadata(await response.text(), source.scheme)) next.set(idp.entityId, idp);
      } catch (error) {
        failures++;
        // keep what the last good read of this source gave
        for (const [id, idp] of this.providers) if (idp.scheme === source.scheme && !next.has(id)) next.set(id, idp);
        this.options.onMetadataError?.(source, error as Error);
      }
    }
    this.providers = next;
    if (failures === 0) this.loadedAt = Date.now();
    else this.failedAt = Date.now();
  }

  private async fresh(): Promise<Map<string, IdentityProvider>> {
    const now = Date.now();
    const stale = now - this.loadedAt > (this.options.refreshMs ?? 6 * 3_600_000);
    const mayRetry = now - this.failedAt > (this.options.retryMs ?? 60_000);
    if (stale && mayRetry) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      // the first load is awaited; a refresh of a known list too (it is bounded by the timeout)
      await this.loading;
    }
    return this.providers;
  }

  async identityProviders(): Promise<readonly IdentityProviderChoice[]> {
    const providers = [...(await this.fresh()).values()];
    return providers
      .map((p) => ({ entityId: p.entityId, displayName: p.displayName, scheme: p.scheme }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'it'));
  }

  async authnRequest(identityProvider: string, relayState: string, now: Date): Promise<{ url: string; requestId: string }> {
    const idp = (await this.fresh()).get(identityProvider);
    if (!idp) throw new SignInRefused('unknown-idp', 'the identity provider is not among the trusted ones');
    const { url, requestId } = await authnRequestRedirect(await this.serviceProvider(), idp, { relayState, now });
    return { url, requestId };
  }

  async verify(samlResponse: string, expected: PendingSignIn, now: Date): Promise<CitizenIdentity> {
    const providers = await this.fresh();
    const sp = await this.serviceProvider();
    return verifySamlResponse(sp, (entityId) => providers.get(entityId), {
      samlResponse,
      expected: { requestId: expected.requestId, idpEntityId: expected.identityProvider, issuedAt: expected.issuedAt },
      now,
    }).catch((error: unknown) => {
      throw asSignInRefused(error);
    });
  }

  async logoutRequest(identityProvider: string, subject: { nameId: string; sessionIndex?: string }, relayState: string, now: Date): Promise<{ url: string; requestId: string } | undefined> {
    const idp = (await this.fresh()).get(identityProvider);
    if (!idp?.sloRedirectUrl) return undefined;
    const { url, requestId } = await logoutRequestRedirect(await this.serviceProvider(), idp, {
      nameId: subject.nameId,
      ...(subject.sessionIndex ? { sessionIndex: subject.sessionIndex } : {}),
      relayState,
      now,
    });
    return { url, requestId };
  }

  async verifyLogoutResponse(rawQuery: string, expected: PendingLogout, now: Date): Promise<void> {
    const providers = await this.fresh();
    const sp = await this.serviceProvider();
    refused(() => verifyLogoutResponse(sp, (id) => providers.get(id), { query: rawQuery, expected: { requestId: expected.requestId, idpEntityId: expected.identityProvider, issuedAt: expected.issuedAt }, now }));
  }

  async verifyLogoutRequest(rawQuery: string, now: Date): Promise<IdpLogoutRequest> {
    const providers = await this.fresh();
    const sp = await this.serviceProvider();
    const v = refused(() => verifyLogoutRequest(sp, (id) => providers.get(id), { query: rawQuery, now }));
    return {
      identityProvider: v.idpEntityId,
      requestId: v.requestId,
      nameId: v.nameId,
      ...(v.sessionIndex ? { sessionIndex: v.sessionIndex } : {}),
      ...(v.relayState !== undefined ? { relayState: v.relayState } : {}),
    };
  }

  async logoutResponse(identityProvider: string, inResponseTo: string, relayState: string | undefined, now: Date): Promise<string> {
    const idp = (await this.fresh()).get(identityProvider);
    if (!idp) throw new SignInRefused('unknown-idp', 'the identity provider is not among the trusted ones');
    return logoutResponseRedirect(await this.serviceProvider(), idp, { inResponseTo, ...(relayState !== undefined ? { relayState } : {}), now }).url;
  }

  async metadata(scheme: 'spid' | 'cie' = 'spid'): Promise<string | undefined> {
    if (scheme === 'cie') {
      if (!this.options.cie) return undefined;
      this.cieMetadata ??= cieServiceProviderMetadata(await this.serviceProvider(), this.options.cie);
      return this.cieMetadata;
    }
    this.signedMetadata ??= serviceProviderMetadata(await this.serviceProvider());
    return this.signedMetadata;
  }
}

/**
 * The composition root of the CITIZEN family: the citizen's counter (functions/citizen-counter),
 * a new edge over the same stores and use cases as the rest (the dossier, the notices, the
 * positions' create use case for spontaneous payments), plus the SAML service provider, the
 * sessions and pagoPA Checkout.
 *
 * Settings (set by `npm start` for the local stack, by the CDK on AWS):
 *   CITIZEN_COUNTER_URL        the counter's public URL, e.g. https://comune.example/cittadino
 *                              (ACS, return URLs). Without it the counter is closed: 503 pages.
 *   CITIZEN_SP_ENTITY_ID       the SP's entityID (default <CITIZEN_COUNTER_URL>/spid/metadata)
 *   CITIZEN_SP_SECRET_PREFIX   AWS: secrets <prefix>private-key and <prefix>certificate (PEM)
 *   CITIZEN_SP_KEY_PEM, CITIZEN_SP_CERT_PEM   local stack only: the same, in the environment
 *   CITIZEN_SP_ORGANIZATION_NAME / _DISPLAY_NAME / _URL, CITIZEN_SP_CONTACT_EMAIL,
 *   CITIZEN_SP_IPA_CODE, CITIZEN_SP_VAT_NUMBER, CITIZEN_SP_FISCAL_CODE, CITIZEN_SP_TELEPHONE,
 *   CITIZEN_SP_MUNICIPALITY_CODE (the Belfiore code of CIE's metadata)
 *                              what the SP metadata says of who runs it (Avviso SPID n. 29 v3)
 *   CITIZEN_SPID_LEVEL         SpidL2 (default) or SpidL3
 *   CITIZEN_SESSION_MINUTES    5..120, default 30 (absolute, from sign-in)
 *   SPID_IDP_METADATA_URL      the SPID registry's metadata of every SPID IdP
 *   CIE_IDP_METADATA_URL       CIE's SAML IdP metadata (empty: no CIE button)
 *   CHECKOUT_API_URL           pagoPA Checkout's EC API (default production v1)
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { CHECKOUT_API_URL_DEFAULT, CheckoutHttpClient } from '../adapters/checkout-client';
import { DynamoMessageRecordStore } from '../adapters/dynamo/app-io-message-store';
import { DynamoAssertionLedger, DynamoCitizenCarts, DynamoCitizenSessions, DynamoPendingLogouts, DynamoSignInRequests } from '../adapters/dynamo/citizen-store';
import { DynamoPositionIndexes } from '../adapters/dynamo/position-index-queries';
import { DynamoPositionReceipts } from '../adapters/dynamo/position-receipts';
import { SamlIdentityGateway, type MetadataSource } from '../adapters/saml-identity-gateway';
import { SecretsManagerSource } from '../adapters/secrets';
import type { ServiceProvider } from '../adapters/spid-saml';
import { readConfig } from '../config/env';
import { PageRefusal, type CitizenEdgeDeps } from '../http/citizen-edge';
import { citizenServiceRoutes } from '../http/citizen-services';
import { receiptDocumentOf, renderReceiptPdf } from '../notice';
import { noticeServingRoot } from './notices';
import { platform } from './platform';
import { positionsRoot } from './positions';
import { subscriptionKeySettings, subscriptionKeySource } from './subscription-keys';

export const citizenConfigSchema = z.object({
  CITIZEN_COUNTER_URL: z.url().optional(),
  CITIZEN_SP_ENTITY_ID: z.url().optional(),
  CITIZEN_SP_SECRET_PREFIX: z.string().min(1).optional(),
  CITIZEN_SP_KEY_PEM: z.string().includes('PRIVATE KEY').optional(),
  CITIZEN_SP_CERT_PEM: z.string().includes('CERTIFICATE').optional(),
  CITIZEN_SP_ORGANIZATION_NAME: z.string().min(1).max(200).default('Sportello pagoPA dei Comuni'),
  CITIZEN_SP_ORGANIZATION_DISPLAY_NAME: z.string().min(1).max(200).optional(),
  CITIZEN_SP_ORGANIZATION_URL: z.url().optional(),
  CITIZEN_SP_CONTACT_EMAIL: z.email().default('assistenza@example.invalid'),
  CITIZEN_SP_IPA_CODE: z.string().min(1).max(20).optional(),
  CITIZEN_SP_VAT_NUMBER: z.string().regex(/^IT\d{11}$/).optional(),
  CITIZEN_SP_FISCAL_CODE: z.string().regex(/^\d{11}$/).optional(),
  CITIZEN_SP_TELEPHONE: z.string().regex(/^\+39\d{6,12}$/).optional(),
  /** the municipality's cadastral (Belfiore) code: CIE's metadata (cie:Municipality) needs it */
  CITIZEN_SP_MUNICIPALITY_CODE: z.string().regex(/^[A-Z]\d{3}$/).optional(),
  CITIZEN_SPID_LEVEL: z.enum(['SpidL2', 'SpidL3']).default('SpidL2'),
  CITIZEN_SESSION_MINUTES: z.coerce.number().int().min(5).max(120).default(30),
  // the SPID registry's aggregate of the IdPs' metadata (AgID, registry.spid.gov.it)
  SPID_IDP_METADATA_URL: z.url().default('https://registry.spid.gov.it/metadata/idp/spid-entities-idps.xml'),
  CIE_IDP_METADATA_URL: z.union([z.url(), z.literal('')]).default(''),
  CHECKOUT_API_URL: z.url().default(CHECKOUT_API_URL_DEFAULT),
});

export type CitizenCounter = CitizenEdgeDeps & { readonly logger: Logger };

let built: { key: string; root: CitizenCounter } | undefined;

export function citizenCounterRoot(env: NodeJS.ProcessEnv = process.env): CitizenCounter {
  const config = readConfig(citizenConfigSchema, env);
  const positions = positionsRoot(env);
  const notices = noticeServingRoot(env);
  const p = platform(env);
  const key = JSON.stringify(config);
  if (built?.key === key && built.root.counter.positions === positions.positions) return built.root;
  const logger = p.telemetry.logger;
  const counterUrl = (config.CITIZEN_COUNTER_URL ?? 'https://counter.invalid/cittadino').replace(/\/+$/, '');
  const sp = serviceProvider(config, counterUrl, logger);
  const metadata: MetadataSource[] = [
    { url: config.SPID_IDP_METADATA_URL, scheme: 'spid' },
    ...(config.CIE_IDP_METADATA_URL ? [{ url: config.CIE_IDP_METADATA_URL, scheme: 'cie' as const }] : []),
  ];
  const gateway = new SamlIdentityGateway({
    sp,
    metadata,
    ...(config.CITIZEN_SP_MUNICIPALITY_CODE ? { cie: { municipality: config.CITIZEN_SP_MUNICIPALITY_CODE } } : {}),
    onMetadataError: (source, error) => logger.error('identity provider metadata could not be read', { scheme: source.scheme, url: source.url, error: error.message }),
  });
  const table = { db: p.db, tableName: p.tableName };
  const checkoutKeys = subscriptionKeySource('checkout', table, subscriptionKeySettings('checkout', env));
  const root: CitizenCounter = {
    logger,
    counterUrl,
    formTargets: [new URL(config.CHECKOUT_API_URL).origin],
    signIn: {
      gateway,
      requests: new DynamoSignInRequests(p.db, p.tableName, p.clock),
      logouts: new DynamoPendingLogouts(p.db, p.tableName, p.clock),
      assertions: new DynamoAssertionLedger(p.db, p.tableName, p.clock),
      sessions: new DynamoCitizenSessions(p.db, p.tableName, p.clock),
      clock: p.clock,
      sessionMinutes: config.CITIZEN_SESSION_MINUTES,
    },
    counter: {
      organizations: p.organizations,
      positions: positions.positions,
      debtorPositions: new DynamoPositionIndexes(p.db, p.tableName),
      positionReceipts: new DynamoPositionReceipts(p.db, p.tableName),
      messages: new DynamoMessageRecordStore(p.db, p.tableName),
      clock: p.clock,
      checkout: new CheckoutHttpClient(config.CHECKOUT_API_URL, checkoutKeys),
      carts: new DynamoCitizenCarts(p.db, p.tableName, p.clock),
    },
    notices: notices.notices,
    renderReceipt: ({ receipt, position }) => renderReceiptPdf(receiptDocumentOf(receipt, position.organization)),
    // spontaneous payments: positions created through the positions' own create use case
    extraRoutes: citizenServiceRoutes({
      positions: positions.positions,
      organizations: p.organizations,
      clock: positions.clock,
      newId: positions.newId,
      onCreated: positions.onCreated,
    }),
  };
  built = { key, root };
  return root;
}

type CitizenConfig = z.infer<typeof citizenConfigSchema>;

/** The SP as the metadata describes it; its key and certificate from the environment (local) or Secrets Manager (AWS). */
function serviceProvider(config: CitizenConfig, counterUrl: string, logger: Logger): () => Promise<ServiceProvider> {
  return async () => {
    let privateKeyPem = config.CITIZEN_SP_KEY_PEM;
    let certificatePem = config.CITIZEN_SP_CERT_PEM;
    if (config.CITIZEN_SP_SECRET_PREFIX) {
      const secrets = new SecretsManagerSource(new SecretsManagerClient({}), { ttlMs: 3_600_000 });
      [privateKeyPem, certificatePem] = await Promise.all([
        secrets.get(`${config.CITIZEN_SP_SECRET_PREFIX}private-key`),
        secrets.get(`${config.CITIZEN_SP_SECRET_PREFIX}certificate`),
      ]);
    }
    if (!privateKeyPem || !certificatePem || !config.CITIZEN_COUNTER_URL) {
      logger.error('citizen sign-in is not configured (CITIZEN_COUNTER_URL and the SP key and certificate): sign-in is refused');
      throw new PageRefusal(503, 'Accesso non disponibile', 'L’accesso con SPID e CIE non è ancora attivo per questo sportello.');
    }
    return {
      entityId: config.CITIZEN_SP_ENTITY_ID ?? `${counterUrl}/spid/metadata`,
      acsUrl: `${counterUrl}/spid/acs`,
      sloUrl: `${counterUrl}/spid/slo`,
      privateKeyPem,
      certificatePem,
      spidLevel: config.CITIZEN_SPID_LEVEL,
      attributeConsumingServiceIndex: 0,
      organization: {
        name: config.CITIZEN_SP_ORGANIZATION_NAME,
        displayName: config.CITIZEN_SP_ORGANIZATION_DISPLAY_NAME ?? config.CITIZEN_SP_ORGANIZATION_NAME,
        url: config.CITIZEN_SP_ORGANIZATION_URL ?? new URL(counterUrl).origin,
      },
      contact: {
        email: config.CITIZEN_SP_CONTACT_EMAIL,
        ...(config.CITIZEN_SP_IPA_CODE ? { ipaCode: config.CITIZEN_SP_IPA_CODE } : {}),
        ...(config.CITIZEN_SP_VAT_NUMBER ? { vatNumber: config.CITIZEN_SP_VAT_NUMBER } : {}),
        ...(config.CITIZEN_SP_FISCAL_CODE ? { fiscalCode: config.CITIZEN_SP_FISCAL_CODE } : {}),
        ...(config.CITIZEN_SP_TELEPHONE ? { telephone: config.CITIZEN_SP_TELEPHONE } : {}),
      },
    };
  };
}

/**
 * The whole layer on one machine, as `npm start` runs it and as the integration/e2e tests, the
 * benchmarks and the chaos run use it: the local cloud, the simulators of the outside world
 * (App IO at /_sim/io, the e-mail outbox at /_sim/mail) and the seeded tenants. One function, so
 * what the tests prove is what a newcomer runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from './cloud';
import { createLocalIo, type LocalIo } from './io-local';
import { REPO_ROOT } from './lambda-runtime';
import { seedOrganizations, type SeedSummary } from './seed';
import { createConsoleStatic } from './console-static';
import { createLocalCheckout, type LocalCheckout } from './simulators/checkout';
import { createLocalFdr, type LocalFdr } from './simulators/fdr';
import { CONSOLE_AUDIENCE, CONSOLE_CLIENT_ID, CONSOLE_SCOPE, createLocalOidc, type LocalOidc } from './simulators/oidc';
import { createLocalSpidIdp, type LocalSpidIdp } from './simulators/spid-idp';
import { generateServiceProviderCredentials } from '../../shared/adapters/spid-saml';

export interface LocalLayerOptions extends Pick<LocalCloudOptions, 'port' | 'persistDir' | 'log' | 'holdRequests'> {
  readonly seedFile?: string;
  /** where captured e-mails go; default .local-data/outbox (npm start) — tests pass a temp dir */
  readonly outboxDir?: string;
  /** settings for the handlers (process.env), applied before any handler runs */
  readonly env?: Readonly<Record<string, string>>;
  /** the FdR simulator closes today's receipts into reporting flows every so many seconds (default 0: only on request) */
  readonly fdrAutoCloseSeconds?: number;
}

export interface LocalLayer {
  readonly cloud: LocalCloud;
  readonly io: LocalIo;
  /** the FdR simulator (pagoPA reporting flows) at /_sim/fdr */
  readonly fdr: LocalFdr;
  /** the pagoPA Checkout simulator (the EC cart API and the citizen's payment page) at /_sim/checkout */
  readonly checkout: LocalCheckout;
  /** the operators' OpenID provider (Cognito's stand-in) at /_sim/oidc; the console is at /console/ */
  readonly oidc: LocalOidc;
  /** the citizens' test identity provider (a SPID and a CIE stand-in) at /_sim/spid */
  readonly spid: LocalSpidIdp;
  /** http://127.0.0.1:<port>/cittadino/ */
  readonly counterUrl: string;
  /** http://127.0.0.1:<port>/console/ */
  readonly consoleUrl: string;
  readonly seed: SeedSummary;
  readonly seedFile: string;
  stop(): Promise<void>;
}

export async function startLocalLayer(options: LocalLayerOptions = {}): Promise<LocalLayer> {
  const seedFile = resolve(options.seedFile ?? resolve(REPO_ROOT, 'infra/local/seed.json'));
  const io = createLocalIo({ seedFile, outboxDir: options.outboxDir });
  const fdr = createLocalFdr({ seedFile, autoCloseSeconds: options.fdrAutoCloseSeconds ?? 0 });
  const checkout = createLocalCheckout({ seedFile });
  const oidc = createLocalOidc({ seedFile });
  const spid = createLocalSpidIdp({ seedFile });
  const consoleStatic = createConsoleStatic();
  const cloud = await startLocalCloud({
    port: options.port,
    persistDir: options.persistDir,
    log: options.log,
    holdRequests: options.holdRequests,
    mounts: [...io.mounts, ...fdr.mounts, ...checkout.mounts, ...oidc.mounts, ...spid.mounts, consoleStatic.mount],
  });
  try {
    // before the first handler runs: handlers read their settings once, when first imported
    process.env['IO_API_URL'] ??= io.apiUrl(cloud.url);
    process.env['EMAIL_OUTBOX_DIR'] ??= io.outboxDir;
    process.env['FDR_API_URL'] ??= fdr.apiUrl(cloud.url);
    fdr.bind(cloud);
    process.env['CHECKOUT_API_URL'] ??= checkout.apiUrl(cloud.url);
    checkout.bind(cloud.url);
    // the citizen's counter: a SAML service provider with a key made at every start, trusting the test IdP
    const counterBase = `${cloud.url}/cittadino`;
    process.env['CITIZEN_COUNTER_URL'] ??= counterBase;
    if (process.env['CITIZEN_SP_KEY_PEM'] === undefined) {
      const sp = generateServiceProviderCredentials('Sportello del cittadino (locale)');
      process.env['CITIZEN_SP_KEY_PEM'] = sp.privateKeyPem;
      process.env['CITIZEN_SP_CERT_PEM'] = sp.certificatePem;
    }
    // demo values of the metadata's public-SP fields (a real municipality's come from IndicePA)
    process.env['CITIZEN_SP_IPA_CODE'] ??= 'c_demo';
    process.env['CITIZEN_SP_MUNICIPALITY_CODE'] ??= 'H501';
    process.env['SPID_IDP_METADATA_URL'] ??= spid.metadataUrl(cloud.url, 'spid');
    process.env['CIE_IDP_METADATA_URL'] ??= spid.metadataUrl(cloud.url, 'cie');
    spid.bind(cloud.url, {
      entityId: process.env['CITIZEN_SP_ENTITY_ID'] ?? `${process.env['CITIZEN_COUNTER_URL']}/spid/metadata`,
      acsUrl: `${process.env['CITIZEN_COUNTER_URL']}/spid/acs`,
      sloUrl: `${process.env['CITIZEN_COUNTER_URL']}/spid/slo`,
      certificatePem: process.env['CITIZEN_SP_CERT_PEM']!,
    });
    // the console API verifies operator tokens of this stack's OpenID provider
    process.env['CONSOLE_OIDC_ISSUER'] ??= oidc.issuer(cloud.url);
    process.env['CONSOLE_OIDC_AUDIENCE'] ??= CONSOLE_AUDIENCE;
    const consoleUrl = `${cloud.url}/console/`;
    await Promise.all([
      oidc.bind(cloud.url),
      consoleStatic.bind({
        issuer: oidc.issuer(cloud.url),
        clientId: CONSOLE_CLIENT_ID,
        scope: `openid profile ${CONSOLE_SCOPE}`,
        resource: CONSOLE_AUDIENCE,
        apiBase: '/console-api',
        redirectUri: consoleUrl,
      }, { connectOrigins: [cloud.endpoints.s3] }), // a large upload is PUT to the S3 emulator's presigned URL
    ]);
    Object.assign(process.env, options.env ?? {});
    const seed = await seedOrganizations(seedFile, cloud);
    const stop = async () => {
      fdr.stop();
      await cloud.stop();
    };
    return { cloud, io, fdr, checkout, oidc, spid, counterUrl: `${counterBase}/`, consoleUrl, seed, seedFile, stop };
  } catch (error) {
    fdr.stop();
    await cloud.stop();
    throw error;
  }
}

/** A fresh temporary outbox, for tests. */
export function temporaryOutbox(): string {
  return mkdtempSync(join(tmpdir(), 'pagopa-outbox-'));
}

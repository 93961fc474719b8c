/**
 * Deployment settings read once from CDK context (`-c key=value` or cdk.json), validated here
 * so a typo fails the synth with a clear message instead of deploying something odd.
 */
import type { Node } from 'constructs';

export interface MtlsDomainConfig {
  /** e.g. nodo.pagopa-layer.comune.example.it */
  readonly domainName: string;
  /** ACM certificate (same region) for domainName */
  readonly certificateArn: string;
  /** s3://bucket/key of the PEM truststore with the pagoPA node's client CA chain */
  readonly truststoreUri: string;
  readonly truststoreVersion?: string;
}

/** SES sending for the e-mail grant; absent: e-mail is off (EMAIL_TRANSPORT=none, no SES permission). */
export interface EmailConfig {
  /** verified SES identity: a domain (comune.example.it) or an address */
  readonly identity: string;
  /** the From address; IAM allows sending from it only (ses:FromAddress) */
  readonly from: string;
  readonly configurationSet?: string;
}

export interface DeployConfig {
  readonly stage: string;
  readonly isProd: boolean;
  /**
   * A test stage that holds no real tenant (context `sandbox=true`; refused for `prod`). Only a
   * sandbox is destroyed with its stacks, keeps logs a week and may open the node API.
   */
  readonly sandbox: boolean;
  /**
   * Every stage that is not a sandbox (prod included) is treated as holding real data: KMS key,
   * table, buckets and log groups are RETAINED on stack deletion, the table is deletion-protected
   * and the Stateful stack termination-protected. Sandboxes: all of it DESTROYED with the stack.
   */
  readonly retainData: boolean;
  /** HTTP API default-stage throttling (the default route settings of both APIs) */
  readonly apiThrottleRatePerSecond: number;
  readonly apiThrottleBurst: number;
  /** browser origins allowed by CORS on the back-office API; absent: no CORS at all */
  readonly corsAllowedOrigins?: readonly string[];
  readonly alarmEmail?: string;
  readonly nodeMtls?: MtlsDomainConfig;
  /**
   * Without mTLS only: IPv4 CIDRs allowed to call the node API (a Lambda authorizer on
   * $context.identity.sourceIp; HTTP APIs have no resource policy and no WAF).
   */
  readonly nodeAllowedCidrs?: readonly string[];
  /**
   * Sandbox only, never prod (context `nodeApiPublicForTestsOnly=true`): the node API on its
   * default execute-api endpoint with neither mutual TLS nor an IP allow list.
   */
  readonly nodeApiPublicForTestsOnly: boolean;
  readonly email?: EmailConfig;
  /** customer-managed KMS key of the secrets granted by the catalog; absent: aws/secretsmanager */
  readonly secretsKmsKeyArn?: string;
  /**
   * 'esbuild' (default): real NodejsFunction bundling. 'placeholder': an inline placeholder
   * body instead of the bundle; ONLY for infra tests that assert everything but the code.
   */
  readonly lambdaCode: 'esbuild' | 'placeholder';
  readonly logRetentionDays: number;
  /**
   * Context `consoleUrl`: where the operator console is served (https://host/console/; in a
   * sandbox also http://localhost[:port]/console/). Given, the Stateless stack creates the
   * operators' Cognito user pool and app client (its only callback URL) and points the console
   * API at them; absent, there is no sign-in and the console API answers 503.
   */
  readonly consoleUrl?: string;
  /**
   * Context `citizenCounterUrl` and the `citizenSp*` keys: the citizen's counter (the
   * citizen-counter function, `/cittadino/...`). Absent, the function gets none of its settings
   * and answers 503 pages, and the console's distribution has no `/cittadino*` behaviour.
   */
  readonly citizenCounter?: CitizenCounterConfig;
}

/**
 * The citizen's counter on AWS. It is served by the operator console's CloudFront distribution
 * (behaviour `/cittadino*` → the back-office HTTP API), so `url` is on consoleUrl's origin: the
 * distribution's own *.cloudfront.net name, or an alternate domain configured on it by hand (the
 * stacks set no custom domain). This URL is what the SAML service provider is registered with at
 * AgID (entityID `<url>/spid/metadata`, ACS `<url>/spid/acs`): it must be where citizens really
 * reach the counter.
 */
export interface CitizenCounterConfig {
  /** https://host[:port]/cittadino (sandbox: also http://localhost[:port]/cittadino); no trailing slash */
  readonly url: string;
  /** what the SP metadata says of who runs it (SPID Avviso n. 29 v3); absent: the function's defaults */
  readonly sp: {
    readonly organizationName?: string;
    readonly contactEmail?: string;
    readonly ipaCode?: string;
    /** the Belfiore code CIE's metadata carries (cie:Municipality) */
    readonly municipalityCode?: string;
    readonly vatNumber?: string;
    readonly fiscalCode?: string;
    readonly telephone?: string;
    readonly spidLevel?: 'SpidL2' | 'SpidL3';
  };
  /** CIE's SAML IdP metadata; absent: no CIE button */
  readonly cieIdpMetadataUrl?: string;
  /** the SPID registry's IdP metadata; absent: the function's default (registry.spid.gov.it) */
  readonly spidIdpMetadataUrl?: string;
  /** pagoPA Checkout's EC API base; absent: the function's default (production v1) */
  readonly checkoutApiUrl?: string;
}

/** The path the counter's routes live under (the catalog's citizen-counter routes, shared/http/citizen-pages.ts COUNTER_BASE). */
export const CITIZEN_COUNTER_PATH = '/cittadino';

/** A deployment the context describes badly or unsafely: app.ts prints its message, no stack trace. */
export class DeployConfigError extends Error {
  override readonly name = 'DeployConfigError';
}

const STAGE_RE = /^[a-z][a-z0-9-]{1,15}$/;

/** Above these a stage limit is no limit at all (the account's regional HTTP API quota is 10,000 rps, burst 5,000). */
export const MAX_THROTTLE_RATE = 5000;
export const MAX_THROTTLE_BURST = 5000;

/** The widest range nodeAllowedCidrs accepts. */
export const MIN_ALLOWED_CIDR_BITS = 8;

/** The retention periods CloudWatch Logs accepts (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The context keys that protect the node API, named in every error about it. */
export const NODE_PROTECTION_HELP =
  "set mutual TLS with -c nodeMtlsDomain=<domain> -c nodeMtlsCertificateArn=<ACM certificate ARN> -c nodeMtlsTruststoreUri=s3://<bucket>/<key>.pem " +
  '(and -c nodeMtlsTruststoreVersion=<S3 version>), or an IPv4 allow list with -c nodeAllowedCidrs=<cidr>[,<cidr>...]. ' +
  "A test stage that holds no real tenant may instead opt out with -c sandbox=true -c nodeApiPublicForTestsOnly=true (refused for stage 'prod').";

function str(node: Node, key: string): string | undefined {
  const v = node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

function positiveInt(node: Node, key: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = str(node, key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > max) {
    throw new DeployConfigError(`context '${key}' must be a positive integer${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got '${raw}'`);
  }
  return n;
}

/** true/'true' or false/'false'/absent; anything else is a typo and fails. */
function bool(node: Node, key: string): boolean {
  const v = node.tryGetContext(key);
  if (v === undefined || v === null || v === '' || v === false || v === 'false') return false;
  if (v === true || v === 'true') return true;
  throw new DeployConfigError(`context '${key}' must be 'true' or 'false', got '${String(v)}'`);
}

export function readDeployConfig(node: Node): DeployConfig {
  const stage = str(node, 'stage') ?? 'dev';
  if (!STAGE_RE.test(stage)) {
    throw new DeployConfigError(`context 'stage' must match ${STAGE_RE} (lower-case, 2-16 chars), got '${stage}'`);
  }
  const isProd = stage === 'prod';
  const sandbox = bool(node, 'sandbox');
  const nodeApiPublicForTestsOnly = bool(node, 'nodeApiPublicForTestsOnly');
  if (isProd && nodeApiPublicForTestsOnly) {
    throw new DeployConfigError(
      "context 'nodeApiPublicForTestsOnly' is refused for stage 'prod': production never exposes the pagoPA node API without client authentication; " +
        NODE_PROTECTION_HELP,
    );
  }
  if (isProd && sandbox) {
    throw new DeployConfigError("context 'sandbox=true' is refused for stage 'prod': prod holds real tenants (its data is retained, its node API protected)");
  }
  if (nodeApiPublicForTestsOnly && !sandbox) {
    throw new DeployConfigError(
      `context 'nodeApiPublicForTestsOnly' needs 'sandbox=true': stage '${stage}' is not marked as a test stage without real tenants`,
    );
  }

  const alarmEmail = str(node, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new DeployConfigError(`context 'alarmEmail' is not an e-mail address: '${alarmEmail}'`);
  }
  if (isProd && alarmEmail === undefined) {
    throw new DeployConfigError("stage 'prod' needs context 'alarmEmail' (-c alarmEmail=ops@comune.example.it): alarms that reach nobody are no alarms");
  }

  const domainName = str(node, 'nodeMtlsDomain');
  const truststoreUri = str(node, 'nodeMtlsTruststoreUri');
  const certificateArn = str(node, 'nodeMtlsCertificateArn');
  const mtlsKeys = [domainName, truststoreUri, certificateArn].filter((v) => v !== undefined).length;
  if (mtlsKeys !== 0 && mtlsKeys !== 3) {
    throw new DeployConfigError(
      "mutual TLS needs all three context keys 'nodeMtlsDomain', 'nodeMtlsTruststoreUri' and 'nodeMtlsCertificateArn'",
    );
  }
  if (truststoreUri !== undefined && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/.test(truststoreUri)) {
    throw new DeployConfigError(`context 'nodeMtlsTruststoreUri' must look like s3://bucket/key.pem, got '${truststoreUri}'`);
  }
  const truststoreVersion = str(node, 'nodeMtlsTruststoreVersion');

  const cidrsRaw = str(node, 'nodeAllowedCidrs');
  const nodeAllowedCidrs = cidrsRaw?.split(',').map((c) => c.trim()).filter((c) => c !== '');
  for (const c of nodeAllowedCidrs ?? []) {
    if (!isCidr(c)) throw new DeployConfigError(`context 'nodeAllowedCidrs' must be comma-separated IPv4 CIDRs (203.0.113.0/24), got '${c}'`);
    // 0.0.0.0/0 and the like would make the allow list a silent opt-out
    if (Number(c.split('/')[1]) < MIN_ALLOWED_CIDR_BITS) {
      throw new DeployConfigError(
        `context 'nodeAllowedCidrs' refuses '${c}': a range wider than /${MIN_ALLOWED_CIDR_BITS} is no allow list; name the pagoPA node's egress ranges`,
      );
    }
  }
  if (nodeAllowedCidrs?.length && domainName) {
    throw new DeployConfigError(
      "context 'nodeAllowedCidrs' applies only without mutual TLS: with 'nodeMtlsDomain' the node API has no other endpoint and the client certificate is the control",
    );
  }

  if (nodeApiPublicForTestsOnly && (mtlsKeys > 0 || nodeAllowedCidrs?.length)) {
    throw new DeployConfigError("context 'nodeApiPublicForTestsOnly' contradicts the node protection also given (nodeMtls* or nodeAllowedCidrs): drop one");
  }

  const corsAllowedOrigins = readCorsOrigins(node, sandbox);
  const logRetentionDays = positiveInt(node, 'logRetentionDays', sandbox ? 7 : 365);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new DeployConfigError(`context 'logRetentionDays' must be one of CloudWatch's periods (${LOG_RETENTION_DAYS.join(', ')}), got ${logRetentionDays}`);
  }

  const email = readEmailConfig(node);
  const secretsKmsKeyArn = str(node, 'secretsKmsKeyArn');
  if (secretsKmsKeyArn !== undefined && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/.test(secretsKmsKeyArn)) {
    throw new DeployConfigError(`context 'secretsKmsKeyArn' must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), got '${secretsKmsKeyArn}'`);
  }

  const lambdaCode = str(node, 'lambdaCode') ?? 'esbuild';
  if (lambdaCode !== 'esbuild' && lambdaCode !== 'placeholder') {
    throw new DeployConfigError(`context 'lambdaCode' must be 'esbuild' or 'placeholder', got '${lambdaCode}'`);
  }

  const consoleUrl = str(node, 'consoleUrl');
  if (consoleUrl !== undefined) {
    const origin = consoleUrl.replace(/\/console\/$/, '');
    if (!consoleUrl.endsWith('/console/') || !(HTTPS_ORIGIN_RE.test(origin) || (sandbox && LOCAL_ORIGIN_RE.test(origin)))) {
      throw new DeployConfigError(`context 'consoleUrl' must be https://host[:port]/console/${sandbox ? ' (or http://localhost[:port]/console/)' : ''}, got '${consoleUrl}'`);
    }
  }

  const citizenCounter = readCitizenCounterConfig(node, { isProd, sandbox, consoleUrl });

  const apiThrottleRatePerSecond = positiveInt(node, 'apiThrottleRate', 50, MAX_THROTTLE_RATE);
  const apiThrottleBurst = positiveInt(node, 'apiThrottleBurst', 100, MAX_THROTTLE_BURST);
  if (apiThrottleBurst < apiThrottleRatePerSecond) {
    throw new DeployConfigError(`context 'apiThrottleBurst' (${apiThrottleBurst}) must be at least 'apiThrottleRate' (${apiThrottleRatePerSecond})`);
  }

  return {
    stage,
    isProd,
    sandbox,
    retainData: !sandbox,
    apiThrottleRatePerSecond,
    apiThrottleBurst,
    ...(corsAllowedOrigins ? { corsAllowedOrigins } : {}),
    ...(consoleUrl ? { consoleUrl } : {}),
    ...(citizenCounter ? { citizenCounter } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(domainName && truststoreUri && certificateArn
      ? {
          nodeMtls: {
            domainName,
            truststoreUri,
            certificateArn,
            ...(truststoreVersion ? { truststoreVersion } : {}),
          },
        }
      : {}),
    ...(nodeAllowedCidrs?.length ? { nodeAllowedCidrs } : {}),
    nodeApiPublicForTestsOnly,
    ...(email ? { email } : {}),
    ...(secretsKmsKeyArn ? { secretsKmsKeyArn } : {}),
    lambdaCode,
    logRetentionDays,
  };
}

/** How the node API of a stage is protected; see assertNodeApiProtected. */
export type NodeApiProtection = 'mtls' | 'allow-list' | 'public-sandbox';

/**
 * Refuses to build a node API that anyone on the internet could call: without mutual TLS or an
 * IP allow list, the node routes (paGetPaymentV2 reads debtors' data, paSendRTV2 marks debts
 * PAID) are protected only by caller ids that are public. Only a sandbox may opt out, loudly.
 */
export function assertNodeApiProtected(config: DeployConfig): NodeApiProtection {
  if (config.nodeMtls) return 'mtls';
  if (config.nodeAllowedCidrs?.length) return 'allow-list';
  if (config.sandbox && config.nodeApiPublicForTestsOnly && !config.isProd) return 'public-sandbox';
  throw new DeployConfigError(
    `stage '${config.stage}' would expose the pagoPA node API (SOAP paForNode: paVerifyPaymentNotice, paGetPaymentV2, paSendRTV2) ` +
      'to the whole internet, protected only by caller ids that are not secrets. Refusing to synthesize: ' +
      NODE_PROTECTION_HELP,
  );
}

const HTTPS_ORIGIN_RE = /^https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$/;
const LOCAL_ORIGIN_RE = /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/;

/** CORS is off unless origins are named; never a wildcard, plain http only to localhost in a sandbox. */
function readCorsOrigins(node: Node, sandbox: boolean): string[] | undefined {
  const raw = str(node, 'corsAllowedOrigins');
  if (raw === undefined) return undefined;
  const origins = raw.split(',').map((o) => o.trim()).filter((o) => o !== '');
  if (origins.length === 0) return undefined;
  for (const o of origins) {
    if (o.includes('*')) {
      throw new DeployConfigError(`context 'corsAllowedOrigins' refuses wildcards ('${o}'): name each origin, e.g. https://backoffice.comune.example.it`);
    }
    if (!HTTPS_ORIGIN_RE.test(o) && !(sandbox && LOCAL_ORIGIN_RE.test(o))) {
      throw new DeployConfigError(
        `context 'corsAllowedOrigins' must be comma-separated https origins (https://host[:port], lower case, no path)${sandbox ? ' or http://localhost[:port]' : ''}, got '${o}'`,
      );
    }
  }
  return origins;
}

const EMAIL_RE = /^[^@\s]+@([a-z0-9-]+(\.[a-z0-9-]+)+)$/i;
const DOMAIN_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

function readEmailConfig(node: Node): EmailConfig | undefined {
  const identity = str(node, 'sesIdentity');
  const fromRaw = str(node, 'emailFrom');
  const configurationSet = str(node, 'sesConfigurationSet');
  if (identity === undefined) {
    if (fromRaw !== undefined || configurationSet !== undefined) {
      throw new DeployConfigError("context 'emailFrom' and 'sesConfigurationSet' need 'sesIdentity' (the verified SES domain or address)");
    }
    return undefined;
  }
  const identityIsAddress = identity.includes('@');
  if (identityIsAddress ? !EMAIL_RE.test(identity) : !DOMAIN_RE.test(identity)) {
    throw new DeployConfigError(`context 'sesIdentity' must be a domain (comune.example.it) or an e-mail address, got '${identity}'`);
  }
  // a domain identity sends from any address of the domain or its subdomains; an address identity from itself only
  const from = fromRaw ?? (identityIsAddress ? identity : `avvisi@${identity}`);
  const fromDomain = EMAIL_RE.exec(from)?.[1]?.toLowerCase();
  const covered = identityIsAddress
    ? from.toLowerCase() === identity.toLowerCase()
    : fromDomain !== undefined && (fromDomain === identity.toLowerCase() || fromDomain.endsWith(`.${identity.toLowerCase()}`));
  if (!covered) throw new DeployConfigError(`context 'emailFrom' '${from}' is not covered by the SES identity '${identity}'`);
  if (configurationSet !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(configurationSet)) {
    throw new DeployConfigError(`context 'sesConfigurationSet' must be an SES configuration set name, got '${configurationSet}'`);
  }
  return { identity, from, ...(configurationSet ? { configurationSet } : {}) };
}

/** The optional context of the counter's SP metadata and IdPs; each needs citizenCounterUrl. */
const CITIZEN_OPTIONAL_KEYS = [
  'citizenSpOrganizationName',
  'citizenSpContactEmail',
  'citizenSpIpaCode',
  'citizenSpVatNumber',
  'citizenSpFiscalCode',
  'citizenSpTelephone',
  'citizenSpMunicipalityCode',
  'citizenSpidLevel',
  'cieIdpMetadataUrl',
  'spidIdpMetadataUrl',
  'checkoutApiUrl',
] as const;

function httpsUrl(node: Node, key: string): string | undefined {
  const raw = str(node, key);
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || !HTTPS_ORIGIN_RE.test(url.origin)) {
    throw new DeployConfigError(`context '${key}' must be an https URL (https://host/path), got '${raw}'`);
  }
  return raw;
}

function readCitizenCounterConfig(
  node: Node,
  ctx: { readonly isProd: boolean; readonly sandbox: boolean; readonly consoleUrl: string | undefined },
): CitizenCounterConfig | undefined {
  const url = str(node, 'citizenCounterUrl');
  if (url === undefined) {
    const stray = CITIZEN_OPTIONAL_KEYS.filter((k) => str(node, k) !== undefined);
    if (stray.length > 0) {
      throw new DeployConfigError(
        `context ${stray.map((k) => `'${k}'`).join(', ')} configure${stray.length === 1 ? 's' : ''} the citizen's counter and need${stray.length === 1 ? 's' : ''} 'citizenCounterUrl' (https://<console host>/cittadino)`,
      );
    }
    return undefined;
  }
  const origin = url.endsWith(CITIZEN_COUNTER_PATH) ? url.slice(0, -CITIZEN_COUNTER_PATH.length) : undefined;
  if (origin === undefined || !(HTTPS_ORIGIN_RE.test(origin) || (ctx.sandbox && LOCAL_ORIGIN_RE.test(origin)))) {
    throw new DeployConfigError(
      `context 'citizenCounterUrl' must be https://host[:port]${CITIZEN_COUNTER_PATH}${ctx.sandbox ? ` (or http://localhost[:port]${CITIZEN_COUNTER_PATH})` : ''}, lower case, no trailing slash, got '${url}'`,
    );
  }
  // one distribution serves both: the counter's pages load /console/assets/bootstrap-italia.min.css
  // from their own origin (CSP style-src 'self'), and only the console's distribution routes /cittadino*
  if (ctx.consoleUrl === undefined) {
    throw new DeployConfigError(
      `context 'citizenCounterUrl' needs 'consoleUrl': the counter is served by the operator console's CloudFront distribution (its ${CITIZEN_COUNTER_PATH}* behaviour) and its pages load their CSS from the console's files (/console/assets/) on the same origin`,
    );
  }
  const consoleOrigin = ctx.consoleUrl.replace(/\/console\/$/, '');
  if (origin !== consoleOrigin) {
    throw new DeployConfigError(
      `context 'citizenCounterUrl' must be on the console's origin ${consoleOrigin} (from 'consoleUrl'), got ${origin}: the counter is served by the console's CloudFront distribution and its pages load their CSS from /console/assets/ on their own origin (CSP style-src 'self'), so another host would serve pages without their styles or not at all`,
    );
  }

  const organizationName = str(node, 'citizenSpOrganizationName');
  if (organizationName !== undefined && (organizationName.trim().length === 0 || organizationName.length > 200 || /[\u0000-\u001f<>]/.test(organizationName))) {
    throw new DeployConfigError(`context 'citizenSpOrganizationName' must be 1-200 characters without control characters or '<' '>', got '${organizationName}'`);
  }
  const contactEmail = str(node, 'citizenSpContactEmail');
  if (contactEmail !== undefined && !EMAIL_RE.test(contactEmail)) {
    throw new DeployConfigError(`context 'citizenSpContactEmail' is not an e-mail address: '${contactEmail}'`);
  }
  const ipaCode = str(node, 'citizenSpIpaCode');
  if (ipaCode !== undefined && !/^[A-Za-z0-9_]{2,20}$/.test(ipaCode)) {
    throw new DeployConfigError(`context 'citizenSpIpaCode' must be the IPA code of the administration (IndicePA, e.g. c_h501: letters, digits, '_', 2-20 characters), got '${ipaCode}'`);
  }
  const municipalityCode = str(node, 'citizenSpMunicipalityCode');
  if (municipalityCode !== undefined && !/^[A-Z]\d{3}$/.test(municipalityCode)) {
    throw new DeployConfigError(`context 'citizenSpMunicipalityCode' must be the municipality's cadastral (Belfiore) code, one capital letter and three digits (e.g. H501), got '${municipalityCode}'`);
  }
  const vatNumber = str(node, 'citizenSpVatNumber');
  if (vatNumber !== undefined && !/^IT\d{11}$/.test(vatNumber)) {
    throw new DeployConfigError(`context 'citizenSpVatNumber' must be 'IT' and the 11 digits of the partita IVA (IT01234567890), got '${vatNumber}'`);
  }
  const fiscalCode = str(node, 'citizenSpFiscalCode');
  if (fiscalCode !== undefined && !/^\d{11}$/.test(fiscalCode)) {
    throw new DeployConfigError(`context 'citizenSpFiscalCode' must be the administration's 11-digit fiscal code, got '${fiscalCode}'`);
  }
  const telephone = str(node, 'citizenSpTelephone');
  if (telephone !== undefined && !/^\+39\d{6,12}$/.test(telephone)) {
    throw new DeployConfigError(`context 'citizenSpTelephone' must be an Italian number in international form without spaces (+39...), got '${telephone}'`);
  }
  const spidLevel = str(node, 'citizenSpidLevel');
  if (spidLevel !== undefined && spidLevel !== 'SpidL2' && spidLevel !== 'SpidL3') {
    throw new DeployConfigError(`context 'citizenSpidLevel' must be 'SpidL2' or 'SpidL3', got '${spidLevel}'`);
  }
  const cieIdpMetadataUrl = httpsUrl(node, 'cieIdpMetadataUrl');
  const spidIdpMetadataUrl = httpsUrl(node, 'spidIdpMetadataUrl');
  const checkoutApiUrl = httpsUrl(node, 'checkoutApiUrl');

  // a public administration's SP metadata carries its IPA code and a contact (SPID Avviso n. 29 v3,
  // ContactPerson contactType="other" with spid:IPACode and EmailAddress)
  if (ctx.isProd) {
    const missing = [contactEmail === undefined ? 'citizenSpContactEmail' : undefined, ipaCode === undefined ? 'citizenSpIpaCode' : undefined].filter(
      (k): k is string => k !== undefined,
    );
    if (missing.length > 0) {
      throw new DeployConfigError(
        `stage 'prod' with 'citizenCounterUrl' needs context ${missing.map((k) => `'${k}'`).join(' and ')}: the SAML metadata of a public service provider must carry the administration's IPA code and a contact e-mail (SPID Avviso n. 29 v3), and AgID registers the SP from that metadata`,
      );
    }
  }

  return {
    url,
    sp: {
      ...(organizationName !== undefined ? { organizationName } : {}),
      ...(contactEmail !== undefined ? { contactEmail } : {}),
      ...(ipaCode !== undefined ? { ipaCode } : {}),
      ...(municipalityCode !== undefined ? { municipalityCode } : {}),
      ...(vatNumber !== undefined ? { vatNumber } : {}),
      ...(fiscalCode !== undefined ? { fiscalCode } : {}),
      ...(telephone !== undefined ? { telephone } : {}),
      ...(spidLevel !== undefined ? { spidLevel } : {}),
    },
    ...(cieIdpMetadataUrl !== undefined ? { cieIdpMetadataUrl } : {}),
    ...(spidIdpMetadataUrl !== undefined ? { spidIdpMetadataUrl } : {}),
    ...(checkoutApiUrl !== undefined ? { checkoutApiUrl } : {}),
  };
}

/** IPv4 only: the execute-api endpoint of an HTTP API is IPv4 unless made dual-stack. */
function isCidr(value: string): boolean {
  const [ip, bits, ...rest] = value.split('/');
  if (rest.length > 0 || ip === undefined || bits === undefined || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return false;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && ip.split('.').every((o) => Number(o) <= 255);
}

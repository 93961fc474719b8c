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
  /** HTTP API default-stage throttling */
  readonly apiThrottleRatePerSecond: number;
  readonly apiThrottleBurst: number;
  readonly alarmEmail?: string;
  readonly nodeMtls?: MtlsDomainConfig;
  /**
   * Without mTLS only: IPv4 CIDRs allowed to call the node API (a Lambda authorizer on
   * $context.identity.sourceIp; HTTP APIs have no resource policy and no WAF).
   */
  readonly nodeAllowedCidrs?: readonly string[];
  readonly email?: EmailConfig;
  /** customer-managed KMS key of the secrets granted by the catalog; absent: aws/secretsmanager */
  readonly secretsKmsKeyArn?: string;
  /**
   * 'esbuild' (default): real NodejsFunction bundling. 'placeholder': an inline placeholder
   * body instead of the bundle; ONLY for infra tests that assert everything but the code.
   */
  readonly lambdaCode: 'esbuild' | 'placeholder';
  readonly logRetentionDays: number;
}

const STAGE_RE = /^[a-z][a-z0-9-]{1,15}$/;

function str(node: Node, key: string): string | undefined {
  const v = node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

function positiveInt(node: Node, key: string, fallback: number): number {
  const raw = str(node, key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`context '${key}' must be a positive integer, got '${raw}'`);
  return n;
}

export function readDeployConfig(node: Node): DeployConfig {
  const stage = str(node, 'stage') ?? 'dev';
  if (!STAGE_RE.test(stage)) {
    throw new Error(`context 'stage' must match ${STAGE_RE} (lower-case, 2-16 chars), got '${stage}'`);
  }
  const isProd = stage === 'prod';

  const alarmEmail = str(node, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`context 'alarmEmail' is not an e-mail address: '${alarmEmail}'`);
  }

  const domainName = str(node, 'nodeMtlsDomain');
  const truststoreUri = str(node, 'nodeMtlsTruststoreUri');
  const certificateArn = str(node, 'nodeMtlsCertificateArn');
  const mtlsKeys = [domainName, truststoreUri, certificateArn].filter((v) => v !== undefined).length;
  if (mtlsKeys !== 0 && mtlsKeys !== 3) {
    throw new Error(
      "mutual TLS needs all three context keys 'nodeMtlsDomain', 'nodeMtlsTruststoreUri' and 'nodeMtlsCertificateArn'",
    );
  }
  if (truststoreUri !== undefined && !/^s3:\/\/[^/]+\/.+/.test(truststoreUri)) {
    throw new Error(`context 'nodeMtlsTruststoreUri' must look like s3://bucket/key.pem, got '${truststoreUri}'`);
  }
  const truststoreVersion = str(node, 'nodeMtlsTruststoreVersion');

  const cidrsRaw = str(node, 'nodeAllowedCidrs');
  const nodeAllowedCidrs = cidrsRaw?.split(',').map((c) => c.trim()).filter((c) => c !== '');
  for (const c of nodeAllowedCidrs ?? []) {
    if (!isCidr(c)) throw new Error(`context 'nodeAllowedCidrs' must be comma-separated IPv4 CIDRs (203.0.113.0/24), got '${c}'`);
  }
  if (nodeAllowedCidrs?.length && domainName) {
    throw new Error(
      "context 'nodeAllowedCidrs' applies only without mutual TLS: with 'nodeMtlsDomain' the node API has no other endpoint and the client certificate is the control",
    );
  }

  const email = readEmailConfig(node);
  const secretsKmsKeyArn = str(node, 'secretsKmsKeyArn');
  if (secretsKmsKeyArn !== undefined && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/.test(secretsKmsKeyArn)) {
    throw new Error(`context 'secretsKmsKeyArn' must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), got '${secretsKmsKeyArn}'`);
  }

  const lambdaCode = str(node, 'lambdaCode') ?? 'esbuild';
  if (lambdaCode !== 'esbuild' && lambdaCode !== 'placeholder') {
    throw new Error(`context 'lambdaCode' must be 'esbuild' or 'placeholder', got '${lambdaCode}'`);
  }

  return {
    stage,
    isProd,
    apiThrottleRatePerSecond: positiveInt(node, 'apiThrottleRate', 50),
    apiThrottleBurst: positiveInt(node, 'apiThrottleBurst', 100),
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
    ...(email ? { email } : {}),
    ...(secretsKmsKeyArn ? { secretsKmsKeyArn } : {}),
    lambdaCode,
    logRetentionDays: isProd ? 365 : 7,
  };
}

const EMAIL_RE = /^[^@\s]+@([a-z0-9-]+(\.[a-z0-9-]+)+)$/i;
const DOMAIN_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

function readEmailConfig(node: Node): EmailConfig | undefined {
  const identity = str(node, 'sesIdentity');
  const fromRaw = str(node, 'emailFrom');
  const configurationSet = str(node, 'sesConfigurationSet');
  if (identity === undefined) {
    if (fromRaw !== undefined || configurationSet !== undefined) {
      throw new Error("context 'emailFrom' and 'sesConfigurationSet' need 'sesIdentity' (the verified SES domain or address)");
    }
    return undefined;
  }
  const identityIsAddress = identity.includes('@');
  if (identityIsAddress ? !EMAIL_RE.test(identity) : !DOMAIN_RE.test(identity)) {
    throw new Error(`context 'sesIdentity' must be a domain (comune.example.it) or an e-mail address, got '${identity}'`);
  }
  // a domain identity sends from any address of the domain or its subdomains; an address identity from itself only
  const from = fromRaw ?? (identityIsAddress ? identity : `avvisi@${identity}`);
  const fromDomain = EMAIL_RE.exec(from)?.[1]?.toLowerCase();
  const covered = identityIsAddress
    ? from.toLowerCase() === identity.toLowerCase()
    : fromDomain !== undefined && (fromDomain === identity.toLowerCase() || fromDomain.endsWith(`.${identity.toLowerCase()}`));
  if (!covered) throw new Error(`context 'emailFrom' '${from}' is not covered by the SES identity '${identity}'`);
  if (configurationSet !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(configurationSet)) {
    throw new Error(`context 'sesConfigurationSet' must be an SES configuration set name, got '${configurationSet}'`);
  }
  return { identity, from, ...(configurationSet ? { configurationSet } : {}) };
}

/** IPv4 only: the execute-api endpoint of an HTTP API is IPv4 unless made dual-stack. */
function isCidr(value: string): boolean {
  const [ip, bits, ...rest] = value.split('/');
  if (rest.length > 0 || ip === undefined || bits === undefined || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return false;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && ip.split('.').every((o) => Number(o) <= 255);
}

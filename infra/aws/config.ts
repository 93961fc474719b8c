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

export interface DeployConfig {
  readonly stage: string;
  readonly isProd: boolean;
  /** HTTP API default-stage throttling */
  readonly apiThrottleRatePerSecond: number;
  readonly apiThrottleBurst: number;
  readonly alarmEmail?: string;
  readonly nodeMtls?: MtlsDomainConfig;
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
    lambdaCode,
    logRetentionDays: isProd ? 365 : 7,
  };
}

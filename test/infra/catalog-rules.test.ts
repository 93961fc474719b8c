/**
 * Catalog mistakes caught at synth, and proof the nag check in these tests can fail.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { DeployConfigError, readDeployConfig } from '../../infra/aws/config';
import { validateCatalogForAws } from '../../infra/aws/validate-catalog';
import type { Catalog, FunctionDef } from '../../infra/catalog';
import { fixtureCatalog, fixtureFunctions } from '../fixtures/cdk/catalog';
import { nagFindings } from './helpers';

const withQueue = (visibilityTimeoutSeconds: number): Catalog => ({
  ...fixtureCatalog,
  queues: fixtureCatalog.queues.map((q) => (q.id === 'render' ? { ...q, visibilityTimeoutSeconds } : q)),
});

describe('validateCatalogForAws', () => {
  it('accepts the fixture catalog', () => {
    expect(() => validateCatalogForAws(fixtureCatalog)).not.toThrow();
  });

  it('rejects a visibility timeout under 6 × the consumer timeout, naming queue, function and minimum', () => {
    // renderer timeout 30 s → needs ≥ 180 s
    expect(() => validateCatalogForAws(withQueue(179))).toThrow(
      /queue 'render' has visibilityTimeoutSeconds 179, but its consumer 'renderer' has timeoutSeconds 30.*at least 6 × 30 = 180 s/,
    );
    expect(() => validateCatalogForAws(withQueue(180))).not.toThrow();
  });

  it('rejects triggers and grants on queues or buckets the catalog does not declare', () => {
    const broken: Catalog = {
      ...fixtureCatalog,
      functions: [
        {
          ...fixtureFunctions.renderer,
          triggers: [{ kind: 'queue', queue: 'nope', batchSize: 1, maxBatchingWindowSeconds: 0 }],
          grants: [{ resource: 'bucket', id: 'missing', access: 'read' }],
        },
      ],
    };
    expect(() => validateCatalogForAws(broken)).toThrow(/unknown queue 'nope'[\s\S]*unknown bucket 'missing'/);
  });

  it('checks the alarm and throttling fields the AWS stacks read', () => {
    const withQueueAge = (maxMessageAgeSeconds: number): Catalog => ({
      ...fixtureCatalog,
      queues: fixtureCatalog.queues.map((q) => (q.id === 'render' ? { ...q, maxMessageAgeSeconds } : q)),
    });
    expect(() => validateCatalogForAws(withQueueAge(3600))).not.toThrow();
    expect(() => validateCatalogForAws(withQueueAge(30))).toThrow(/queue 'render': maxMessageAgeSeconds must be/);
    expect(() => validateCatalogForAws(withQueueAge(4 * 86_400))).toThrow(/below its retention \(345600 s\)/);
    const withFn = (patch: Partial<FunctionDef>, base: FunctionDef = fixtureFunctions.getThing): Catalog => ({
      ...fixtureCatalog,
      functions: [{ ...base, ...patch }],
    });
    expect(() => validateCatalogForAws(withFn({ throttle: { rateLimit: 5, burstLimit: 10 } }))).not.toThrow();
    expect(() => validateCatalogForAws(withFn({ throttle: { rateLimit: 10, burstLimit: 5 } }))).toThrow(/rateLimit ≤ burstLimit/);
    expect(() => validateCatalogForAws(withFn({ throttle: { rateLimit: 5, burstLimit: 10 } }, fixtureFunctions.renderer))).toThrow(
      /throttle applies to back-office routes, and it has none/,
    );
    expect(() => validateCatalogForAws(withFn({ errorRateAlarm: { thresholdPercent: 0, minInvocations: 5 } }))).toThrow(/errorRateAlarm/);
    expect(() => validateCatalogForAws(withFn({ errorRateAlarm: { thresholdPercent: 5, minInvocations: 0 } }))).toThrow(/errorRateAlarm/);
    const lag = (maxIteratorAgeSeconds: number) =>
      withFn({ triggers: [{ kind: 'stream', table: 'main', batchSize: 10, maxIteratorAgeSeconds }] }, fixtureFunctions.dispatcher);
    expect(() => validateCatalogForAws(lag(300))).not.toThrow();
    expect(() => validateCatalogForAws(lag(90_000))).toThrow(/maxIteratorAgeSeconds/);
  });
});

describe('deploy config from context', () => {
  const cfg = (context: Record<string, unknown>) => readDeployConfig(new App({ context }).node);

  it('defaults to dev, 50/100 throttling, real bundling', () => {
    expect(cfg({})).toMatchObject({ stage: 'dev', isProd: false, apiThrottleRatePerSecond: 50, apiThrottleBurst: 100, lambdaCode: 'esbuild' });
    expect(cfg({ stage: 'prod', alarmEmail: 'ops@example.it' })).toMatchObject({ isProd: true, sandbox: false, retainData: true, logRetentionDays: 365 });
  });

  it('rejects half an mTLS configuration and bad values', () => {
    expect(() => cfg({ nodeMtlsDomain: 'nodo.example.it' })).toThrow(/all three/);
    expect(() => cfg({ stage: 'Prod!' })).toThrow(/stage/);
    expect(() => cfg({ apiThrottleRate: '-1' })).toThrow(/apiThrottleRate/);
    expect(() => cfg({ alarmEmail: 'nope' })).toThrow(/alarmEmail/);
    expect(() => cfg({ nodeMtlsDomain: 'n.example.it', nodeMtlsCertificateArn: 'arn:x', nodeMtlsTruststoreUri: 's3://b/ca.pem' })).toThrow(
      /nodeMtlsTruststoreUri/,
    );
  });

  it('refuses with a DeployConfigError, which app.ts prints without a stack trace', () => {
    expect(() => cfg({ stage: 'prod' })).toThrow(DeployConfigError);
    expect(() => cfg({ sandbox: 'ja' })).toThrow(DeployConfigError);
  });
});

describe('the nag check itself', () => {
  it('reports an unencrypted queue without DLQ, and respects a targeted acknowledgement', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    const q = new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const findings = nagFindings(stack);
    expect(findings).toContain('AwsSolutions-SQS3 @ Bad/Plain/Resource');
    expect(findings).toContain('AwsSolutions-SQS4 @ Bad/Plain/Resource');
    Validations.of(q).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'test' });
    expect(nagFindings(stack)).not.toContain('AwsSolutions-SQS3 @ Bad/Plain/Resource');
    expect(nagFindings(stack)).toContain('AwsSolutions-SQS4 @ Bad/Plain/Resource');
  });
});

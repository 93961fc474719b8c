/**
 * Catalog mistakes caught at synth, and proof the nag check in these tests can fail.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { readDeployConfig } from '../../infra/aws/config';
import { validateCatalogForAws } from '../../infra/aws/validate-catalog';
import type { Catalog } from '../../infra/catalog';
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
});

describe('deploy config from context', () => {
  const cfg = (context: Record<string, unknown>) => readDeployConfig(new App({ context }).node);

  it('defaults to dev, 50/100 throttling, real bundling', () => {
    expect(cfg({})).toMatchObject({ stage: 'dev', isProd: false, apiThrottleRatePerSecond: 50, apiThrottleBurst: 100, lambdaCode: 'esbuild' });
    expect(cfg({ stage: 'prod' })).toMatchObject({ isProd: true, logRetentionDays: 365 });
  });

  it('rejects half an mTLS configuration and bad values', () => {
    expect(() => cfg({ nodeMtlsDomain: 'nodo.example.it' })).toThrow(/all three/);
    expect(() => cfg({ stage: 'Prod!' })).toThrow(/stage/);
    expect(() => cfg({ apiThrottleRate: '-1' })).toThrow(/apiThrottleRate/);
    expect(() => cfg({ alarmEmail: 'nope' })).toThrow(/alarmEmail/);
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

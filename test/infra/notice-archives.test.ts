/**
 * The notice batches' ZIP archives on AWS, from the real catalog: the archive function may read the
 * rendered notices and write only under archives/, and the notices bucket expires archives/ after
 * 30 days (with the batch) while keeping the notices and the logos.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../infra/catalog';
import { PROD_CONTEXT, statementsWith, synth } from './helpers';

describe('notice archives', () => {
  let s: ReturnType<typeof synth>;
  beforeAll(() => {
    s = synth(catalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT });
  });

  const keysOf = (action: string) =>
    statementsWith(s.statelessTemplate, 'get-notice-batch', action).flatMap((st) => [st.Resource].flat().map((r) => JSON.stringify(r)));

  it('the archive function writes (and deletes) archives/* only, and reads notices/* and archives/*', () => {
    const writes = keysOf('s3:PutObject');
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) expect(w).toMatch(/\/archives\/\*"\]\]\}$/);
    const reads = keysOf('s3:GetObject');
    expect(reads.some((r) => /\/notices\/\*"\]\]\}$/.test(r))).toBe(true);
    expect(reads.every((r) => /\/(notices|archives)\/\*"\]\]\}$/.test(r))).toBe(true);
    for (const d of keysOf('s3:DeleteObject')) expect(d).toMatch(/\/archives\/\*"\]\]\}$/);
  });

  it('the notices bucket expires archives/ after 30 days, and nothing else', () => {
    const buckets = Template.fromStack(s.stateful).findResources('AWS::S3::Bucket', { Properties: { LoggingConfiguration: { LogFilePrefix: 'notices/' } } });
    const rules = Object.values(buckets)[0]!.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    const expiring = rules.filter((r) => 'ExpirationInDays' in r);
    expect(expiring).toEqual([expect.objectContaining({ Prefix: 'archives/', ExpirationInDays: 30, Status: 'Enabled' })]);
  });
});

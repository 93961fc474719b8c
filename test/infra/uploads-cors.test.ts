/**
 * The uploads bucket's CORS on AWS (infra/aws/stateful-stack.ts), synthesized from the real
 * catalog: with `-c consoleUrl=…` the operator console's browser may PUT a large tax list to its
 * presigned URL (POST /console-api/…/uploads/presigned) from the console's origin and GET a large
 * result file (the presigned GET the result route redirects to), and that is all the rules allow:
 * PUT with only the Content-Type header the signed PUT carries, GET with none, that one origin,
 * nothing exposed. The notices bucket lets it GET (a batch's ZIP archive, the presigned GET the
 * archive route redirects to). No other bucket gets a rule, and without a hosted console none does.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ARCHIVE_BUCKET, CONSOLE_UPLOAD_BUCKET, bucketCors } from '../../infra/aws/stateful-stack';
import { catalog } from '../../infra/catalog';
import { PROD_CONTEXT, nagFindings, statementsWith, synth } from './helpers';

const CONSOLE_URL = 'https://console.comune.example.it/console/';
type Resource = { Type: string; Properties: Record<string, any> };

/** the stateful stack's buckets by catalog id (their construct ids are Bucket-<id>), plus the access-log bucket */
function buckets(s: ReturnType<typeof synth>): Map<string, Resource> {
  const resources = Template.fromStack(s.stateful).toJSON().Resources as Record<string, Resource>;
  const out = new Map<string, Resource>();
  for (const [logicalId, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::S3::Bucket') continue;
    const def = catalog.buckets.find((b) => logicalId.startsWith(`Bucket${b.id}`));
    out.set(def ? def.id : logicalId, r);
  }
  return out;
}

describe('the uploads bucket: CORS for the console', () => {
  // the synths in the hooks (hookTimeout): a first synth on a busy machine takes longer than a test's 30 s
  let hosted: ReturnType<typeof synth>;
  let bare: ReturnType<typeof synth>;
  let statefulFindings: string[];
  beforeAll(() => {
    hosted = synth(catalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT, consoleUrl: CONSOLE_URL });
    bare = synth(catalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT });
    statefulFindings = nagFindings(hosted.stateful);
  });

  it('with a hosted console: PUT from the console origin with Content-Type only, GET with no header, kept 600 s; the notices bucket GET only; no other bucket has a rule', () => {
    const s = hosted;
    const all = buckets(s);
    expect([...all.keys()]).toEqual(expect.arrayContaining(['notices', 'uploads']));
    expect(all.get(CONSOLE_UPLOAD_BUCKET)!.Properties['CorsConfiguration']).toEqual({
      CorsRules: [
        { Id: 'console-presigned-put', AllowedMethods: ['PUT'], AllowedOrigins: ['https://console.comune.example.it'], AllowedHeaders: ['content-type'], MaxAge: 600 },
        { Id: 'console-result-download', AllowedMethods: ['GET'], AllowedOrigins: ['https://console.comune.example.it'], MaxAge: 600 },
      ],
    });
    expect(all.get(CONSOLE_ARCHIVE_BUCKET)!.Properties['CorsConfiguration']).toEqual({
      CorsRules: [{ Id: 'console-archive-download', AllowedMethods: ['GET'], AllowedOrigins: ['https://console.comune.example.it'], MaxAge: 600 }],
    });
    for (const [id, bucket] of all) if (id !== CONSOLE_UPLOAD_BUCKET && id !== CONSOLE_ARCHIVE_BUCKET) expect(bucket.Properties['CorsConfiguration'], id).toBeUndefined();
    // the bucket stays private: CORS opens no access, the presigned URL's signature is the only credential
    expect(all.get(CONSOLE_UPLOAD_BUCKET)!.Properties['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(statefulFindings).toEqual([]);
  });

  it('the announcement route is deployed on the console API, whose role may sign a PUT to the uploads bucket', () => {
    const s = hosted;
    const routes = Object.values(s.statelessTemplate.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    expect(routes.map((r) => r.Properties['RouteKey'])).toContain('POST /console-api/organizations/{organizationFiscalCode}/uploads/presigned');
    const puts = statementsWith(s.statelessTemplate, 'console-api', 's3:PutObject');
    expect(JSON.stringify(puts)).toContain('bucket-uploads-name');
  });

  it('without a hosted console (no consoleUrl) no bucket has a CORS rule', () => {
    for (const [id, bucket] of buckets(bare)) expect(bucket.Properties['CorsConfiguration'], id).toBeUndefined();
  });

  it("the rule's origin is consoleUrl's origin, its port kept (a sandbox's http://localhost:port/console/)", () => {
    expect(bucketCors('uploads', 'http://localhost:8080/console/')?.[0]?.allowedOrigins).toEqual(['http://localhost:8080']);
    expect(bucketCors('uploads', 'https://console.comune.example.it/console/')?.[0]?.allowedOrigins).toEqual(['https://console.comune.example.it']);
    expect(bucketCors('notices', CONSOLE_URL)?.map((r) => r.allowedMethods)).toEqual([['GET']]);
    expect(bucketCors('notices', undefined)).toBeUndefined();
    expect(bucketCors('uploads', undefined)).toBeUndefined();
  });
});

/**
 * The operator console on AWS (infra/aws/constructs/console-hosting.ts), synthesized from the
 * real catalog with `-c consoleUrl=…`: a private bucket read only by the distribution through
 * OAC, HTTPS only, the local gateway's security headers, the /console/ rewrite, the console API
 * behind the same origin, the built files and config.json deployed; cdk-nag clean. Without
 * consoleUrl there is no hosting at all.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../infra/catalog';
import { PROD_CONTEXT, nagFindings, synth, type Synth } from './helpers';

const CONSOLE_URL = 'https://console.comune.example.it/console/';
/** the managed policies of CloudFront the API behavior must use */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

let s: Synth;
let hostingStack: Stack;
let t: Template;
let resources: Record<string, Resource>;
/** the parent's AWS::CloudFormation::Stack resource of the hosting: nested parameter → value */
let nestedParameters: Record<string, unknown>;
let assemblyDir: string;

const ofType = (type: string): Array<[string, Resource]> => Object.entries(resources).filter(([, r]) => r.Type === type);
const one = (type: string): [string, Resource] => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
/** a nested stack parameter's value in the parent (what the reference really is) */
const parameter = (ref: unknown): unknown => nestedParameters[(ref as { Ref: string }).Ref];
/** an Fn::Join (or a plain string) as text, every token as <token> */
const text = (v: unknown): string =>
  typeof v === 'string' ? v : (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '<token>')).join('');

beforeAll(() => {
  s = synth(catalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT, consoleUrl: CONSOLE_URL });
  hostingStack = s.stateless.node.findChild('ConsoleHosting') as Stack;
  t = Template.fromStack(hostingStack);
  resources = t.toJSON().Resources;
  const parent = Template.fromStack(s.stateless).toJSON().Resources as Record<string, Resource>;
  const nested = Object.entries(parent).filter(([id, r]) => r.Type === 'AWS::CloudFormation::Stack' && id.startsWith('ConsoleHosting'));
  expect(nested).toHaveLength(1);
  nestedParameters = nested[0]![1].Properties['Parameters'] ?? {};
  assemblyDir = s.app.synth().directory;
});

describe('console hosting: the bucket', () => {
  it('is private: all public access blocked, encrypted, versioned, ACLs disabled, kept in prod', () => {
    const [, bucket] = one('AWS::S3::Bucket');
    expect(bucket.Properties['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties['BucketEncryption'].ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.Properties['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties['OwnershipControls']).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('its policy allows only CloudFront, for this distribution, and denies anything without TLS (1.2+)', () => {
    const [bucketId] = one('AWS::S3::Bucket');
    const [distributionId] = one('AWS::CloudFront::Distribution');
    const [, policy] = one('AWS::S3::BucketPolicy');
    expect(policy.Properties['Bucket']).toEqual({ Ref: bucketId });
    const statements = policy.Properties['PolicyDocument'].Statement as Array<Record<string, any>>;
    const allows = statements.filter((st) => st['Effect'] === 'Allow');
    expect(allows).toHaveLength(1);
    const [allow] = allows;
    expect(allow!['Principal']).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allow!['Action']).toBe('s3:GetObject');
    const sourceArn = allow!['Condition'].StringEquals['AWS:SourceArn'];
    expect(text(sourceArn)).toMatch(/^arn:<token>:cloudfront::<token>:distribution\/<token>$/);
    expect(sourceArn['Fn::Join'][1]).toContainEqual({ Ref: distributionId });
    const denies = statements.filter((st) => st['Effect'] === 'Deny');
    expect(denies.map((d) => d['Condition'])).toEqual(
      expect.arrayContaining([{ Bool: { 'aws:SecureTransport': 'false' } }, { NumericLessThan: { 's3:TlsVersion': 1.2 } }]),
    );
    for (const d of denies) expect(d['Principal']).toEqual({ AWS: '*' });
  });
});

describe('console hosting: the distribution', () => {
  const distribution = () => one('AWS::CloudFront::Distribution')[1].Properties['DistributionConfig'] as Record<string, any>;

  it('reads the bucket through Origin Access Control (no OAI), signing every request', () => {
    const [bucketId] = one('AWS::S3::Bucket');
    const [oacId, oac] = one('AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties['OriginAccessControlConfig']).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    const s3Origin = (distribution()['Origins'] as Array<Record<string, any>>).find((o) => o['S3OriginConfig']);
    expect(s3Origin!['DomainName']).toEqual({ 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] });
    expect(s3Origin!['OriginAccessControlId']).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(s3Origin!['S3OriginConfig'].OriginAccessIdentity).toBe('');
    expect(s3Origin!['OriginPath']).toBeUndefined();
    expect(distribution()['DefaultCacheBehavior'].TargetOriginId).toBe(s3Origin!['Id']);
  });

  it('redirects HTTP to HTTPS, speaks HTTP/2 and HTTP/3, serves GET/HEAD only from the bucket', () => {
    const d = distribution();
    expect(d['DefaultCacheBehavior'].ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(d['DefaultCacheBehavior'].AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(d['HttpVersion']).toBe('http2and3');
    expect(d['Enabled']).toBe(true);
  });

  it('sends the security headers of the local gateway: CSP with script-src self, no framing, nosniff, no referrer, HSTS', () => {
    const [policyId, policy] = one('AWS::CloudFront::ResponseHeadersPolicy');
    const sec = policy.Properties['ResponseHeadersPolicyConfig'].SecurityHeadersConfig;
    const csp = text(sec.ContentSecurityPolicy.ContentSecurityPolicy);
    const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    // the console API on this origin; the sign-in's discovery and token endpoints at Cognito; the
    // uploads bucket, where the page PUTs a tax list over the inline limit (its presigned URL), and the
    // notices bucket, where it GETs a batch's ZIP archive
    expect(directives['connect-src']).toEqual(["'self'", 'https://cognito-idp.eu-south-1.<token>', 'https://<token>.auth.eu-south-1.amazoncognito.com', 'https://<token>.s3.eu-south-1.amazonaws.com', 'https://<token>.s3.eu-south-1.amazonaws.com']);
    const parts = (sec.ContentSecurityPolicy.ContentSecurityPolicy as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const bucketHosts = parts.flatMap((p, i) => (typeof p === 'string' && p.startsWith('.s3.eu-south-1.amazonaws.com') ? [parts[i - 1]] : []));
    expect(bucketHosts).toEqual([{ 'Fn::ImportValue': 'PagopaLayer-prod-Stateful-bucket-uploads-name' }, { 'Fn::ImportValue': 'PagopaLayer-prod-Stateful-bucket-notices-name' }]);
    expect(sec.ContentSecurityPolicy.Override).toBe(true);
    expect(sec.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(sec.ContentTypeOptions).toEqual({ Override: true });
    expect(sec.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(sec.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31_536_000);
    expect(sec.StrictTransportSecurity.Override).toBe(true);
    expect(distribution()['DefaultCacheBehavior'].ResponseHeadersPolicyId).toEqual({ Ref: policyId });
  });

  it('rewrites /console/ to /console/index.html with a CloudFront Function on viewer request', () => {
    const [fnId, fn] = one('AWS::CloudFront::Function');
    expect(fn.Properties['FunctionConfig'].Runtime).toBe('cloudfront-js-2.0');
    expect(fn.Properties['AutoPublish']).toBe(true);
    expect(distribution()['DefaultCacheBehavior'].FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } },
    ]);
  });

  it('routes /console-api/* to the back-office HTTP API: never cached, every viewer header but Host, all methods, TLS 1.2 to the origin', () => {
    const d = distribution();
    const behaviors = d['CacheBehaviors'] as Array<Record<string, any>>;
    expect(behaviors.map((b) => b['PathPattern'])).toEqual(['/console-api/*']);
    const [api] = behaviors;
    expect(api!['CachePolicyId']).toBe(CACHING_DISABLED);
    expect(api!['OriginRequestPolicyId']).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(api!['AllowedMethods']).toEqual(expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']));
    expect(api!['ViewerProtocolPolicy']).toBe('https-only');
    const origin = (d['Origins'] as Array<Record<string, any>>).find((o) => o['Id'] === api!['TargetOriginId'])!;
    expect(origin['CustomOriginConfig']).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(origin['OriginPath']).toBeUndefined();
    expect(text(origin['DomainName'])).toBe('<token>.execute-api.eu-south-1.<token>');
    const apiIdRef = (origin['DomainName']['Fn::Join'][1] as unknown[])[0];
    const httpApiId = s.stateless.getLogicalId(s.stateless.httpApi.node.defaultChild as never);
    expect(parameter(apiIdRef)).toEqual({ Ref: httpApiId });
  });
});

describe('console hosting: the rewrite function (its code as deployed)', () => {
  type Result = { uri?: string; statusCode?: number; headers?: Record<string, { value: string }> };
  let handler: (event: unknown) => Result;
  beforeAll(() => {
    const [, fn] = one('AWS::CloudFront::Function');
    handler = new Function(`${fn.Properties['FunctionCode']}\nreturn handler;`)() as typeof handler;
  });
  const request = (uri: string) => handler({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '192.0.2.1' }, request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} } });

  it('/console/ → /console/index.html (the query string, e.g. the sign-in callback, is left alone)', () => {
    expect(request('/console/').uri).toBe('/console/index.html');
    const callback = handler({ request: { method: 'GET', uri: '/console/', querystring: { code: { value: 'abc' }, state: { value: 'xyz' } }, headers: {} } }) as Result & { querystring: unknown };
    expect(callback.uri).toBe('/console/index.html');
    expect(callback.querystring).toEqual({ code: { value: 'abc' }, state: { value: 'xyz' } });
  });

  it('/console and / → a redirect to /console/', () => {
    for (const uri of ['/console', '/']) {
      const r = request(uri);
      expect(r.statusCode).toBe(302);
      expect(r.headers?.['location']?.value).toBe('/console/');
    }
  });

  it('files pass unchanged', () => {
    for (const uri of ['/console/app.js', '/console/config.json', '/console/assets/console.css', '/console/index.html']) {
      expect(request(uri).uri).toBe(uri);
    }
  });
});

describe('console hosting: the deployed files', () => {
  type Deployment = Record<string, any>;
  const deployments = () => ofType('Custom::CDKBucketDeployment').map(([, r]) => r.Properties as Deployment);
  const pages = () => deployments().find((d) => (d['Include'] ?? []).includes('index.html'))!;
  const assets = () => deployments().find((d) => (d['Exclude'] ?? []).includes('index.html'))!;
  /** the staged directory of an asset named by its S3 key */
  const assetDir = (key: string) => path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
  const listFiles = (dir: string, prefix = ''): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));

  it('two deployments into console/ of the bucket: the pages no-cache, the bundle and CSS for 5 minutes, neither pruning the other', () => {
    const [bucketId] = one('AWS::S3::Bucket');
    expect(deployments()).toHaveLength(2);
    for (const d of deployments()) {
      expect(d['DestinationBucketName']).toEqual({ Ref: bucketId });
      expect(d['DestinationBucketKeyPrefix']).toBe('console/');
      expect(d['Prune']).toBe(true);
    }
    expect(pages()['Exclude']).toEqual(['*']);
    expect(pages()['Include']).toEqual(['index.html', 'config.json']);
    expect(pages()['SystemMetadata']).toEqual({ 'cache-control': 'no-cache' });
    expect(assets()['Exclude']).toEqual(['index.html', 'config.json']);
    expect(assets()['SystemMetadata']).toEqual({ 'cache-control': 'public, max-age=300' });
  });

  it('the pages deployment invalidates /console/* of the distribution', () => {
    const [distributionId] = one('AWS::CloudFront::Distribution');
    expect(pages()['DistributionId']).toEqual({ Ref: distributionId });
    expect(pages()['DistributionPaths']).toEqual(['/console/*']);
  });

  it('deploys the console as web/console/build.ts builds it (index.html, app.js, the CSS)', () => {
    const [buildKey] = assets()['SourceObjectKeys'] as string[];
    expect(pages()['SourceObjectKeys'][0]).toBe(buildKey);
    const dir = assetDir(buildKey!);
    expect(listFiles(dir).sort()).toEqual(['app.js', 'assets/bootstrap-italia.min.css', 'assets/console.css', 'index.html']);
    expect(readFileSync(path.join(dir, 'index.html'), 'utf8')).toContain('<script type="module" src="/console/app.js"></script>');
    expect(readFileSync(path.join(dir, 'app.js'), 'utf8').length).toBeGreaterThan(10_000);
  });

  it('and config.json: the pool as issuer, the app client id, the API on this origin, the console URL as redirect', () => {
    const keys = pages()['SourceObjectKeys'] as string[];
    const markers = pages()['SourceMarkers'] as Array<Record<string, unknown>>;
    const i = keys.findIndex((k) => listFiles(assetDir(k)).includes('config.json'));
    expect(i).toBeGreaterThan(0);
    const config = JSON.parse(readFileSync(path.join(assetDir(keys[i]!), 'config.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(config).sort()).toEqual(['apiBase', 'clientId', 'issuer', 'logoutUrl', 'redirectUri', 'scope']);
    expect(config['apiBase']).toBe('/console-api');
    expect(config['redirectUri']).toBe(CONSOLE_URL);
    expect(config['scope']).toBe('openid profile email');
    // issuer and clientId are deploy-time values: markers the handler replaces, here resolved to the parent's resources
    const poolId = s.stateless.getLogicalId(s.stateless.node.findAll().find((c) => c.node.path.endsWith('OperatorSignIn/Operators/Resource')) as never);
    const clientId = s.stateless.getLogicalId(s.stateless.node.findAll().find((c) => c.node.path.endsWith('OperatorSignIn/Operators/Console/Resource')) as never);
    expect(parameter(markers[i]![config['issuer']!])).toEqual({ 'Fn::GetAtt': [poolId, 'ProviderURL'] });
    expect(parameter(markers[i]![config['clientId']!])).toEqual({ Ref: clientId });
    // Cognito's sign-out (no end_session_endpoint): the managed login domain's /logout
    const logout = /^https:\/\/(<<marker:[^>]+>>)\.auth\.[a-z0-9-]+\.amazoncognito\.com\/logout$/.exec(config['logoutUrl'] ?? '');
    expect(logout, config['logoutUrl']).not.toBeNull();
    const domainId = s.stateless.getLogicalId(s.stateless.node.findAll().find((c) => c.node.path.endsWith('OperatorSignIn/Operators/Login/Resource')) as never);
    expect(parameter(markers[i]![logout![1]!])).toEqual({ Ref: domainId });
  });
});

describe('console hosting: outputs and cdk-nag', () => {
  it('outputs the console URL on CloudFront, the distribution id and the bucket', () => {
    const outputs = s.statelessTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    const url = outputs['ConsoleDistributionUrl']!.Value as { 'Fn::Join': [string, unknown[]] };
    expect(text(url)).toBe('https://<token>/console/');
    const [, att] = url['Fn::Join'][1] as [string, { 'Fn::GetAtt': [string, string] }];
    const nestedOutput = att['Fn::GetAtt'][1].replace(/^Outputs\./, '');
    const [distributionId] = one('AWS::CloudFront::Distribution');
    expect(t.toJSON().Outputs[nestedOutput].Value).toEqual({ 'Fn::GetAtt': [distributionId, 'DomainName'] });
    expect(outputs['ConsoleDistributionId']).toBeDefined();
    expect(outputs['ConsoleBucketName']).toBeDefined();
  });

  it('passes cdk-nag with no unacknowledged finding (both stacks, the nested ones included)', () => {
    expect(nagFindings(s.app)).toEqual([]);
  });
});

describe('console hosting without consoleUrl', () => {
  it('creates no bucket, no distribution, no deployment', () => {
    const plain = synth(catalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT });
    expect(plain.stateless.node.tryFindChild('ConsoleHosting')).toBeUndefined();
    for (const type of ['AWS::CloudFront::Distribution', 'AWS::S3::Bucket', 'Custom::CDKBucketDeployment', 'AWS::CloudFront::Function']) {
      plain.statelessTemplate.resourceCountIs(type, 0);
    }
    // the alarms' nested stack and the citizen-counter function's (NESTED_FUNCTION_STACKS) only
    plain.statelessTemplate.resourceCountIs('AWS::CloudFormation::Stack', 2);
    expect(Object.keys(plain.statelessTemplate.toJSON().Outputs)).not.toContain('ConsoleDistributionUrl');
  });
});

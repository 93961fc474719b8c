/**
 * The citizen's counter on AWS, synthesized from the real catalog: its routes on the back-office
 * API (in the nested CitizenCounter stack) without an authorizer where the catalog says so, its
 * settings from the deploy config (and none without it), the `/cittadino*` behaviour of the
 * console's distribution, the SP secrets grant scoped to its prefix, the outputs, the config's
 * refusals, cdk-nag clean.
 */
import type { Stack } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog, type FunctionDef } from '../../infra/catalog';
import { readDeployConfig } from '../../infra/aws/config';
import { COUNTER_TRAILING_SLASH_FUNCTION } from '../../infra/aws/constructs/console-hosting';
import { PROD_CONTEXT, SANDBOX_CONTEXT, apig4Reasons, functionEnv, nagFindings, nestedParameter, statementsWith, synth, type Synth } from './helpers';

const HOST = 'https://d111111abcdef8.cloudfront.net';
const CONSOLE_URL = `${HOST}/console/`;
const COUNTER_URL = `${HOST}/cittadino`;
const KMS_KEY = 'arn:aws:kms:eu-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const COUNTER_CONTEXT = {
  consoleUrl: CONSOLE_URL,
  citizenCounterUrl: COUNTER_URL,
  citizenSpOrganizationName: 'Comune di Esempio',
  citizenSpContactEmail: 'urp@comune.esempio.it',
  citizenSpIpaCode: 'c_x123',
  citizenSpVatNumber: 'IT01234567890',
  citizenSpFiscalCode: '01234567890',
  citizenSpTelephone: '+390612345678',
  citizenSpidLevel: 'SpidL2',
  cieIdpMetadataUrl: 'https://idserver.servizicie.interno.gov.it/idp/shibboleth?Metadata',
  secretsKmsKeyArn: KMS_KEY,
} as const;
/** CloudFront's managed policies */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
/** every setting the stack may give the counter (the grants' *_SECRET_PREFIX aside) */
const COUNTER_SETTINGS = [
  'CITIZEN_COUNTER_URL',
  'CITIZEN_SP_ENTITY_ID',
  'CITIZEN_SP_ORGANIZATION_NAME',
  'CITIZEN_SP_CONTACT_EMAIL',
  'CITIZEN_SP_IPA_CODE',
  'CITIZEN_SP_VAT_NUMBER',
  'CITIZEN_SP_FISCAL_CODE',
  'CITIZEN_SP_TELEPHONE',
  'CITIZEN_SPID_LEVEL',
  'CIE_IDP_METADATA_URL',
  'SPID_IDP_METADATA_URL',
  'CHECKOUT_API_URL',
];

type Resource = { Type: string; Properties: Record<string, any> };
const counterDef = catalog.functions.find((f) => f.id === 'citizen-counter') as FunctionDef;
const httpTriggers = counterDef.triggers.filter((t): t is Extract<FunctionDef['triggers'][number], { kind: 'http' }> => t.kind === 'http');

let s: Synth;
let plain: Synth;
beforeAll(() => {
  s = synth(catalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT, ...COUNTER_CONTEXT });
  plain = synth(catalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT });
});

describe("the counter's routes", () => {
  it('are the catalog\'s, on the back-office API, in the nested CitizenCounter stack, proxying to the function', () => {
    const nested = Template.fromStack(s.stateless.functionStacks.get('CitizenCounter')!);
    const routes = Object.values(nested.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    expect(routes.map((r) => r.Properties['RouteKey']).sort()).toEqual(httpTriggers.map((t) => `${t.method} ${t.path}`).sort());
    const httpApiId = s.stateless.getLogicalId(s.stateless.httpApi.node.defaultChild as never);
    for (const r of routes) expect(nestedParameter(s, 'CitizenCounter', r.Properties['ApiId']), r.Properties['RouteKey']).toEqual({ Ref: httpApiId });
    // one integration (payload 2.0) and one invoke permission, on the function of the nested stack
    const integrations = Object.entries(nested.findResources('AWS::ApiGatewayV2::Integration')) as Array<[string, Resource]>;
    expect(integrations).toHaveLength(1);
    expect(integrations[0]![1].Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    for (const r of routes) expect(r.Properties['Target']).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integrations[0]![0] }]] });
    const [fnId] = Object.entries(nested.findResources('AWS::Lambda::Function')).find(([, f]) => f.Properties.FunctionName === 'pagopa-layer-prod-citizen-counter')!;
    expect(integrations[0]![1].Properties['IntegrationUri']).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    expect(Object.keys(nested.findResources('AWS::Lambda::Permission'))).toHaveLength(1);
    // none of them in the parent
    const parentRoutes = Object.values(Template.fromStack(s.stateless).findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    expect(parentRoutes.filter((r) => String(r.Properties['RouteKey']).includes('/cittadino'))).toEqual([]);
  });

  it('have no authorizer exactly where the catalog says authenticated: false, each acknowledged with its reason', () => {
    const nested = Template.fromStack(s.stateless.functionStacks.get('CitizenCounter')!);
    const byKey = new Map((Object.values(nested.findResources('AWS::ApiGatewayV2::Route')) as Resource[]).map((r) => [r.Properties['RouteKey'] as string, r]));
    const reasons = apig4Reasons(s.stateless);
    for (const t of httpTriggers) {
      const key = `${t.method} ${t.path}`;
      const route = byKey.get(key)!;
      const open = route.Properties['AuthorizerId'] === undefined && [undefined, 'NONE'].includes(route.Properties['AuthorizationType']);
      expect(open, key).toBe(!t.authenticated);
      if (!t.authenticated) expect(reasons[key], key).toBe(`${key}: ${t.unauthenticatedReason}`);
    }
  });

  it('are throttled per route on the stage (no API key: a fifth of the stage rate)', () => {
    const stage = Object.entries(s.statelessTemplate.findResources('AWS::ApiGatewayV2::Stage')).find(([id]) => id.startsWith('HttpApi'))![1];
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number }>;
    for (const t of httpTriggers) expect(settings[`${t.method} ${t.path}`], t.path).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
  });
});

describe("the counter's settings", () => {
  it('are on the function when configured, and CITIZEN_COUNTER_URL on io-sender', () => {
    const env = functionEnv(s.statelessTemplate, 'pagopa-layer-prod-citizen-counter');
    expect(env).toMatchObject({
      CITIZEN_COUNTER_URL: COUNTER_URL,
      CITIZEN_SP_ENTITY_ID: `${COUNTER_URL}/spid/metadata`,
      CITIZEN_SP_ORGANIZATION_NAME: 'Comune di Esempio',
      CITIZEN_SP_CONTACT_EMAIL: 'urp@comune.esempio.it',
      CITIZEN_SP_IPA_CODE: 'c_x123',
      CITIZEN_SP_VAT_NUMBER: 'IT01234567890',
      CITIZEN_SP_FISCAL_CODE: '01234567890',
      CITIZEN_SP_TELEPHONE: '+390612345678',
      CITIZEN_SPID_LEVEL: 'SpidL2',
      CIE_IDP_METADATA_URL: COUNTER_CONTEXT.cieIdpMetadataUrl,
      // from the catalog's grants
      CITIZEN_SP_SECRET_PREFIX: 'pagopa-layer/citizen-sp/',
      CHECKOUT_SECRET_PREFIX: 'pagopa-layer/checkout/',
    });
    // not given: the function's defaults
    expect(env['SPID_IDP_METADATA_URL']).toBeUndefined();
    expect(env['CHECKOUT_API_URL']).toBeUndefined();
    expect(functionEnv(s.statelessTemplate, 'pagopa-layer-prod-io-sender')['CITIZEN_COUNTER_URL']).toBe(COUNTER_URL);
  });

  it('are absent without citizenCounterUrl (the counter answers 503), and so is the link in IO messages', () => {
    const env = functionEnv(plain.statelessTemplate, 'pagopa-layer-prod-citizen-counter');
    for (const k of COUNTER_SETTINGS) expect(env[k], k).toBeUndefined();
    expect(env['CITIZEN_SP_SECRET_PREFIX']).toBe('pagopa-layer/citizen-sp/');
    expect(functionEnv(plain.statelessTemplate, 'pagopa-layer-prod-io-sender')['CITIZEN_COUNTER_URL']).toBeUndefined();
    expect(Object.keys(plain.statelessTemplate.toJSON().Outputs)).not.toEqual(expect.arrayContaining(['CitizenSpMetadataUrl']));
    expect(Object.keys(plain.statelessTemplate.toJSON().Outputs)).not.toContain('CitizenSpSecretNames');
  });

  it('outputs the two SP secret names the operator creates and the SP metadata URL', () => {
    const outputs = s.statelessTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs['CitizenSpSecretNames']!.Value).toBe('pagopa-layer/citizen-sp/private-key,pagopa-layer/citizen-sp/certificate');
    expect(outputs['CitizenSpMetadataUrl']!.Value).toBe(`${COUNTER_URL}/spid/metadata`);
    expect(outputs['CitizenCounterDistributionUrl']).toBeDefined();
    // the stack creates no secret (the key is the municipality's, registered with AgID)
    s.statelessTemplate.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });
});

describe("the counter's secret grants", () => {
  const secretArn = (stack: Stack, prefix: string) => stack.resolve(`arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${prefix}*`);

  it('read only the secrets under its two prefixes, and decrypt only through Secrets Manager with the CMK', () => {
    const nested = s.stateless.functionStacks.get('CitizenCounter')!;
    const reads = statementsWith(s.statelessTemplate, 'citizen-counter', 'secretsmanager:GetSecretValue');
    // (statements with the same action are merged: @aws-cdk/aws-iam:minimizePolicies)
    expect(reads.flatMap((st) => [st.Resource].flat())).toEqual([secretArn(nested, 'pagopa-layer/checkout/'), secretArn(nested, 'pagopa-layer/citizen-sp/')]);
    for (const st of reads) expect(st.Action).toBe('secretsmanager:GetSecretValue');
    // the CMK only through Secrets Manager, and in no statement without that condition
    const onCmk = statementsWith(s.statelessTemplate, 'citizen-counter', 'kms:Decrypt').filter((st) => [st.Resource].flat().includes(KMS_KEY));
    expect(onCmk.length).toBeGreaterThan(0);
    for (const st of onCmk) {
      expect(st).toMatchObject({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: KMS_KEY, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-south-1.amazonaws.com' } } });
    }
    // no other Secrets Manager action
    const policies = Object.entries(s.statelessTemplate.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('Fncitizencounter'));
    const actions = policies.flatMap(([, p]) => (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((st) => [st.Action].flat()));
    expect([...new Set(actions.filter((a) => a.startsWith('secretsmanager:')))]).toEqual(['secretsmanager:GetSecretValue']);
  });

  it("acknowledge each wildcard with the true names under the prefix", () => {
    const policy = s.stateless.functionStacks.get('CitizenCounter')!.node.findAll().find((c) => c.node.path.endsWith('Fn-citizen-counter/Role/DefaultPolicy'))!;
    const acks = Object.assign({}, ...policy.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => m.data)) as Record<string, string>;
    const sp = Object.entries(acks).find(([id]) => id.includes(':secret:pagopa-layer/citizen-sp/*'));
    expect(sp?.[1]).toMatch(/pagopa-layer\/citizen-sp\/private-key' and '…certificate'.*registered with AgID.*random 6-character suffix/);
    const checkout = Object.entries(acks).find(([id]) => id.includes(':secret:pagopa-layer/checkout/*'));
    expect(checkout?.[1]).toMatch(/pagopa-layer\/checkout\/<organization>'.*Checkout subscription key/);
  });
});

describe("the console's distribution serves the counter", () => {
  let hosting: Template;
  let distribution: Record<string, any>;
  let counter: Record<string, any>;
  beforeAll(() => {
    hosting = Template.fromStack(s.stateless.node.findChild('ConsoleHosting') as Stack);
    distribution = (Object.values(hosting.findResources('AWS::CloudFront::Distribution'))[0] as Resource).Properties['DistributionConfig'];
    counter = (distribution['CacheBehaviors'] as Array<Record<string, any>>).find((b) => b['PathPattern'] === '/cittadino*')!;
  });

  it('/cittadino* goes to the same HTTP API origin as /console-api/*: all methods, never cached, every viewer header but Host (cookies and query strings too), HTTPS only', () => {
    const behaviors = distribution['CacheBehaviors'] as Array<Record<string, any>>;
    expect(behaviors.map((b) => b['PathPattern'])).toEqual(['/console-api/*', '/cittadino*']);
    expect(counter['TargetOriginId']).toBe(behaviors[0]!['TargetOriginId']);
    expect(distribution['Origins']).toHaveLength(2);
    expect(counter['AllowedMethods']).toEqual(expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']));
    expect(counter['AllowedMethods']).toHaveLength(7);
    expect(counter['CachePolicyId']).toBe(CACHING_DISABLED);
    // the managed AllViewerExceptHostHeader: all cookies, all query strings, all headers but Host
    expect(counter['OriginRequestPolicyId']).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(counter['ViewerProtocolPolicy']).toBe('https-only');
  });

  it("sends HSTS, nosniff and no framing, and leaves the pages' own CSP and Referrer-Policy alone", () => {
    const policies = hosting.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    const policy = (policies[counter['ResponseHeadersPolicyId'].Ref] as Resource).Properties['ResponseHeadersPolicyConfig'].SecurityHeadersConfig;
    expect(policy.ContentSecurityPolicy.Override).toBe(false);
    expect(policy.ContentSecurityPolicy.ContentSecurityPolicy).toMatch(/default-src 'none'/);
    expect(policy.ReferrerPolicy).toEqual({ ReferrerPolicy: 'same-origin', Override: false });
    expect(policy.StrictTransportSecurity).toMatchObject({ Override: true, IncludeSubdomains: true });
    expect(policy.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31_536_000);
    expect(policy.ContentTypeOptions).toEqual({ Override: true });
    expect(policy.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
  });

  it('strips a trailing slash on viewer request (an HTTP API route does not match /cittadino/), keeping the query string', () => {
    const functions = hosting.findResources('AWS::CloudFront::Function') as Record<string, Resource>;
    const [id, fn] = Object.entries(functions).find(([, f]) => f.Properties['FunctionCode'] === COUNTER_TRAILING_SLASH_FUNCTION)!;
    expect(fn.Properties['FunctionConfig'].Runtime).toBe('cloudfront-js-2.0');
    expect(counter['FunctionAssociations']).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [id, 'FunctionARN'] } }]);
    const handler = new Function(`${fn.Properties['FunctionCode']}\nreturn handler;`)() as (e: unknown) => { uri: string; querystring?: unknown };
    const request = (uri: string, querystring: unknown = {}) => handler({ request: { method: 'GET', uri, querystring, headers: {}, cookies: {} } });
    expect(request('/cittadino/').uri).toBe('/cittadino');
    expect(request('/cittadino//').uri).toBe('/cittadino');
    expect(request('/cittadino').uri).toBe('/cittadino');
    expect(request('/cittadino/servizi/').uri).toBe('/cittadino/servizi');
    expect(request('/cittadino/spid/metadata').uri).toBe('/cittadino/spid/metadata');
    const q = { uscito: { value: '1' } };
    expect(request('/cittadino/', q).querystring).toEqual(q);
  });

  it('and cdk-nag passes, every stack (nested ones included)', () => {
    expect(nagFindings(s.app)).toEqual([]);
  });
});

describe('citizenCounterUrl and the SP context', () => {
  const cfg = (context: Record<string, string>) => readDeployConfig(new App({ context }).node);
  const prod = (extra: Record<string, string>) => cfg({ ...PROD_CONTEXT, consoleUrl: CONSOLE_URL, ...extra });

  it('reads a complete prod configuration', () => {
    expect(prod({ citizenCounterUrl: COUNTER_URL, citizenSpContactEmail: 'urp@comune.esempio.it', citizenSpIpaCode: 'c_x123' }).citizenCounter).toEqual({
      url: COUNTER_URL,
      sp: { contactEmail: 'urp@comune.esempio.it', ipaCode: 'c_x123' },
    });
  });

  it('refuses a counter on another origin than the console, saying why', () => {
    expect(() => prod({ citizenCounterUrl: 'https://sportello.comune.esempio.it/cittadino', citizenSpContactEmail: 'a@b.it', citizenSpIpaCode: 'c_x123' })).toThrow(
      /'citizenCounterUrl' must be on the console's origin https:\/\/d111111abcdef8\.cloudfront\.net.*CSS/,
    );
    expect(() => cfg({ ...SANDBOX_CONTEXT, citizenCounterUrl: COUNTER_URL })).toThrow(/'citizenCounterUrl' needs 'consoleUrl'/);
  });

  it('refuses a prod counter without the IPA code or the contact e-mail (SPID Avviso n. 29 v3)', () => {
    expect(() => prod({ citizenCounterUrl: COUNTER_URL, citizenSpContactEmail: 'urp@comune.esempio.it' })).toThrow(/needs context 'citizenSpIpaCode'.*Avviso n\. 29/);
    expect(() => prod({ citizenCounterUrl: COUNTER_URL, citizenSpIpaCode: 'c_x123' })).toThrow(/needs context 'citizenSpContactEmail'/);
    expect(() => prod({ citizenCounterUrl: COUNTER_URL })).toThrow(/'citizenSpContactEmail' and 'citizenSpIpaCode'/);
    // another stage may go without them (the function's defaults)
    expect(cfg({ ...SANDBOX_CONTEXT, consoleUrl: CONSOLE_URL, citizenCounterUrl: COUNTER_URL }).citizenCounter?.url).toBe(COUNTER_URL);
  });

  it('wants https://host/cittadino exactly; http://localhost only in a sandbox', () => {
    const sandbox = (url: string, consoleUrl = CONSOLE_URL) => cfg({ ...SANDBOX_CONTEXT, consoleUrl, citizenCounterUrl: url });
    expect(() => sandbox(`${COUNTER_URL}/`)).toThrow(/no trailing slash/);
    expect(() => sandbox(`${HOST}/sportello`)).toThrow(/must be https:\/\/host\[:port\]\/cittadino/);
    expect(() => sandbox(`${HOST}/x/cittadino`)).toThrow(/must be https/);
    expect(() => sandbox('http://d111111abcdef8.cloudfront.net/cittadino')).toThrow(/must be https/);
    expect(sandbox('http://localhost:8080/cittadino', 'http://localhost:8080/console/').citizenCounter?.url).toBe('http://localhost:8080/cittadino');
    expect(() => cfg({ ...PROD_CONTEXT, stage: 'test', consoleUrl: 'http://localhost:8080/console/', citizenCounterUrl: 'http://localhost:8080/cittadino' })).toThrow(/'consoleUrl' must be https/);
    expect(() => cfg({ ...PROD_CONTEXT, stage: 'test', consoleUrl: CONSOLE_URL, citizenCounterUrl: 'http://localhost:8080/cittadino' })).toThrow(/'citizenCounterUrl' must be https/);
  });

  it('validates each SP key, and refuses them without citizenCounterUrl', () => {
    const sandbox = (extra: Record<string, string>) => cfg({ ...SANDBOX_CONTEXT, consoleUrl: CONSOLE_URL, citizenCounterUrl: COUNTER_URL, ...extra });
    expect(() => sandbox({ citizenSpidLevel: 'SpidL1' })).toThrow(/'citizenSpidLevel' must be 'SpidL2' or 'SpidL3'/);
    expect(() => sandbox({ citizenSpContactEmail: 'nobody' })).toThrow(/'citizenSpContactEmail' is not an e-mail address/);
    expect(() => sandbox({ citizenSpIpaCode: 'c h501' })).toThrow(/'citizenSpIpaCode'/);
    expect(() => sandbox({ citizenSpMunicipalityCode: 'h501' })).toThrow(/'citizenSpMunicipalityCode'.*Belfiore/);
    expect(() => sandbox({ citizenSpVatNumber: '01234567890' })).toThrow(/'citizenSpVatNumber' must be 'IT'/);
    expect(() => sandbox({ citizenSpFiscalCode: 'RSSMRA80A01H501U' })).toThrow(/'citizenSpFiscalCode'/);
    expect(() => sandbox({ citizenSpTelephone: '06 1234567' })).toThrow(/'citizenSpTelephone'/);
    expect(() => sandbox({ citizenSpOrganizationName: '<script>' })).toThrow(/'citizenSpOrganizationName'/);
    expect(() => sandbox({ cieIdpMetadataUrl: 'http://idp.example.it/metadata' })).toThrow(/'cieIdpMetadataUrl' must be an https URL/);
    expect(() => sandbox({ checkoutApiUrl: 'not a url' })).toThrow(/'checkoutApiUrl' must be an https URL/);
    expect(sandbox({ citizenSpidLevel: 'SpidL3', checkoutApiUrl: 'https://api.uat.platform.pagopa.it/checkout/ec/v1' }).citizenCounter).toMatchObject({
      sp: { spidLevel: 'SpidL3' },
      checkoutApiUrl: 'https://api.uat.platform.pagopa.it/checkout/ec/v1',
    });
    expect(() => cfg({ ...SANDBOX_CONTEXT, citizenSpIpaCode: 'c_x123' })).toThrow(/'citizenSpIpaCode' configures the citizen's counter and needs 'citizenCounterUrl'/);
  });
});

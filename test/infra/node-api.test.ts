/**
 * The pagoPA node API: 'pagopa-node' routes on their own HTTP API, reachable only through the
 * mutual-TLS domain when one is configured; in a stage without mTLS, optionally behind an IPv4
 * allow-list authorizer (HTTP APIs have no resource policy and no WAF). And the cdk-nag APIG4
 * acknowledgements, which must tell the truth per route and per stage.
 */
import * as vm from 'node:vm';
import { App } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDeployConfig } from '../../infra/aws/config';
import { IP_ALLOW_LIST_CODE } from '../../infra/aws/constructs/ip-allow-list';
import { buildStacks } from '../../infra/aws/build';
import { catalog, type Catalog } from '../../infra/catalog';
import { fixtureCatalog, fixtureFunctions } from '../fixtures/cdk/catalog';
import { acknowledgements, nagFindings, projectRoot, synth, type Synth } from './helpers';

const MTLS = {
  nodeMtlsDomain: 'nodo.pagopa-layer.comune.example.it',
  nodeMtlsCertificateArn: 'arn:aws:acm:eu-south-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  nodeMtlsTruststoreUri: 's3://truststores-example/pagopa-node-ca.pem',
};

type Res = { Properties: Record<string, any> };
const apis = (s: Synth) => s.statelessTemplate.findResources('AWS::ApiGatewayV2::Api') as Record<string, Res>;
const logicalIdOf = (s: Synth, prefix: string) => {
  const ids = Object.keys(apis(s)).filter((id) => id.startsWith(prefix) && !id.startsWith(`${prefix}AccessLogs`));
  expect(ids, prefix).toHaveLength(1);
  return ids[0]!;
};
const routesOf = (s: Synth) => Object.values(s.statelessTemplate.findResources('AWS::ApiGatewayV2::Route')) as Res[];

describe('with mutual TLS', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth(fixtureCatalog, { lambdaCode: 'placeholder', stage: 'prod', ...MTLS });
  });

  it('the node API has its default endpoint disabled; the back-office API keeps its own', () => {
    const node = apis(s)[logicalIdOf(s, 'NodeApi')]!;
    const backOffice = apis(s)[logicalIdOf(s, 'HttpApi')]!;
    expect(node.Properties.DisableExecuteApiEndpoint).toBe(true);
    expect(backOffice.Properties.DisableExecuteApiEndpoint).toBe(false);
  });

  it('maps the mTLS domain to the node API only, with the truststore', () => {
    s.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: MTLS.nodeMtlsDomain,
      MutualTlsAuthentication: { TruststoreUri: MTLS.nodeMtlsTruststoreUri },
      DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_2', CertificateArn: MTLS.nodeMtlsCertificateArn, EndpointType: 'REGIONAL' }],
    });
    const mappings = Object.values(s.statelessTemplate.findResources('AWS::ApiGatewayV2::ApiMapping')) as Res[];
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties.ApiId).toEqual({ Ref: logicalIdOf(s, 'NodeApi') });
    s.statelessTemplate.hasOutput('NodeApiUrl', { Value: `https://${MTLS.nodeMtlsDomain}/` });
  });

  it('node routes are on the node API only and no back-office route is reachable through the domain', () => {
    const nodeId = logicalIdOf(s, 'NodeApi');
    const onNode = routesOf(s).filter((r) => r.Properties.ApiId.Ref === nodeId).map((r) => r.Properties.RouteKey);
    expect(onNode).toEqual(['POST /node/soap']);
  });

  it('the APIG4 reason of the node route names the mTLS domain and the disabled endpoint; nag passes', () => {
    const reason = apig4Reasons(s)['POST /node/soap']!;
    expect(reason).toContain('fixture: the function checks the caller ids.');
    expect(reason).toContain(`only through https://${MTLS.nodeMtlsDomain}`);
    expect(reason).toContain('default execute-api endpoint is disabled');
    expect(nagFindings(s.app)).toEqual([]);
  });

  it('refuses an allow list on top of mTLS, and mTLS with no node route', () => {
    const cfg = (context: Record<string, unknown>) => readDeployConfig(new App({ context }).node);
    expect(() => cfg({ ...MTLS, nodeAllowedCidrs: '203.0.113.0/24' })).toThrow(/only without mutual TLS/);
    const noNode: Catalog = { ...fixtureCatalog, functions: [fixtureFunctions.health] };
    expect(() =>
      buildStacks(new App({ context: { lambdaCode: 'placeholder', ...MTLS } }), { catalog: noNode, projectRoot }),
    ).toThrow(/no http trigger with audience 'pagopa-node'/);
  });
});

describe('without mutual TLS (dev)', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth(fixtureCatalog, { lambdaCode: 'placeholder' });
  });

  it('the node API keeps its default endpoint, has no domain, and says so', () => {
    expect(apis(s)[logicalIdOf(s, 'NodeApi')]!.Properties.DisableExecuteApiEndpoint).toBe(false);
    s.statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    s.statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    const reason = apig4Reasons(s)['POST /node/soap']!;
    expect(reason).toMatch(/NO mutual TLS and no IP allow list/);
    expect(reason).not.toContain('client certificate');
  });
});

describe('IP allow list (no mTLS, nodeAllowedCidrs)', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth(fixtureCatalog, { lambdaCode: 'placeholder', nodeAllowedCidrs: '203.0.113.0/24, 198.51.100.7/32' });
  });

  it('puts a cached simple-response Lambda authorizer on the source IP in front of node routes only', () => {
    const nodeId = logicalIdOf(s, 'NodeApi');
    s.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ApiId: { Ref: nodeId },
      AuthorizerType: 'REQUEST',
      IdentitySource: ['$context.identity.sourceIp'],
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerResultTtlInSeconds: 300,
    });
    for (const r of routesOf(s)) {
      const node = r.Properties.ApiId.Ref === nodeId;
      expect(r.Properties.AuthorizationType ?? 'NONE', r.Properties.RouteKey).toBe(node ? 'CUSTOM' : 'NONE');
    }
    s.statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'fixture-layer-dev-node-ip-allow-list',
      Environment: { Variables: { ALLOWED_CIDRS: JSON.stringify(['203.0.113.0/24', '198.51.100.7/32']) } },
    });
    expect(nagFindings(s.app)).toEqual([]);
  });

  it('rejects what is not an IPv4 CIDR', () => {
    const cfg = (v: string) => readDeployConfig(new App({ context: { nodeAllowedCidrs: v } }).node);
    for (const bad of ['203.0.113.0', '203.0.113.0/33', '256.1.1.1/8', '2001:db8::/32', 'any']) expect(() => cfg(bad), bad).toThrow(/nodeAllowedCidrs/);
    expect(cfg('10.0.0.0/8,192.0.2.1/32').nodeAllowedCidrs).toEqual(['10.0.0.0/8', '192.0.2.1/32']);
  });
});

describe('the allow-list authorizer code (the exact inline text)', () => {
  const load = (cidrs: string[]) => {
    const module = { exports: {} as { handler: (e: unknown) => Promise<{ isAuthorized: boolean }> } };
    vm.runInNewContext(IP_ALLOW_LIST_CODE, {
      module,
      exports: module.exports,
      process: { env: { ALLOWED_CIDRS: JSON.stringify(cidrs) } },
      console: { log: () => undefined },
      JSON,
      Math,
      Number,
    });
    return (ip: unknown) => module.exports.handler({ routeKey: 'POST /x', requestContext: { http: { sourceIp: ip } } }).then((r) => r.isAuthorized);
  };

  it('allows inside the ranges and nothing else', async () => {
    const allowed = load(['203.0.113.0/24', '198.51.100.7/32', '10.0.0.0/8']);
    for (const ip of ['203.0.113.0', '203.0.113.255', '198.51.100.7', '10.255.255.255', '10.0.0.1']) expect(await allowed(ip), ip).toBe(true);
    for (const ip of ['203.0.114.0', '203.0.112.255', '198.51.100.8', '11.0.0.0', '255.255.255.255', '0.0.0.0'])
      expect(await allowed(ip), ip).toBe(false);
  });

  it('denies what is not an IPv4 address, and everything with an empty list', async () => {
    const allowed = load(['0.0.0.0/0']);
    expect(await allowed('192.0.2.1')).toBe(true);
    for (const ip of ['2001:db8::1', '192.0.2', '192.0.2.256', '', undefined, ' 192.0.2.1']) expect(await allowed(ip), String(ip)).toBe(false);
    expect(await load([])('192.0.2.1')).toBe(false);
  });

  it('fails at load on a malformed CIDR rather than allowing', () => {
    expect(() => load(['192.0.2.0/40'])).toThrow(/bad CIDR/);
  });
});

describe('real catalog routes and their APIG4 reasons', () => {
  let dev: Synth;
  let prod: Synth;
  beforeAll(() => {
    dev = synth(catalog, { lambdaCode: 'placeholder' });
    prod = synth(catalog, { lambdaCode: 'placeholder', stage: 'prod', ...MTLS });
  });

  it('only POST /pagopa/paForNode is on the node API', () => {
    const nodeId = logicalIdOf(prod, 'NodeApi');
    const onNode = routesOf(prod).filter((r) => r.Properties.ApiId.Ref === nodeId).map((r) => r.Properties.RouteKey);
    expect(onNode).toEqual(['POST /pagopa/paForNode']);
  });

  it('says the truth for every route without an API key', () => {
    for (const s of [dev, prod]) {
      const reasons = apig4Reasons(s);
      expect(reasons['GET /health']).toMatch(/public on purpose/);
      expect(reasons['GET /openapi.json']).toMatch(/public on purpose/);
      expect(reasons['POST /receipts']).toMatch(/HMAC-SHA256 X-Receipt-Signature/);
      expect(reasons['POST /receipts']).not.toMatch(/public on purpose/);
      expect(reasons['POST /pagopa/paForNode']).toMatch(/caller ids \(idPA\/idBrokerPA\/idStation\)/);
      expect(reasons['POST /pagopa/paForNode']).not.toMatch(/public on purpose/);
      for (const [route, reason] of Object.entries(reasons)) {
        const unauthenticated = ['GET /health', 'GET /openapi.json', 'POST /receipts', 'POST /pagopa/paForNode'].includes(route);
        expect(reason.includes('Ocp-Apim-Subscription-Key'), route).toBe(!unauthenticated);
        expect(reason.startsWith(`${route}: `), route).toBe(true);
      }
    }
    expect(apig4Reasons(prod)['POST /pagopa/paForNode']).toContain(`only through https://${MTLS.nodeMtlsDomain}`);
    expect(apig4Reasons(dev)['POST /pagopa/paForNode']).toContain("stage 'dev' has NO mutual TLS");
  });

  it('every route is acknowledged and nag passes with mTLS', () => {
    const keys = catalog.functions.flatMap((f) => f.triggers.flatMap((t) => (t.kind === 'http' ? [`${t.method} ${t.path}`] : [])));
    expect(Object.keys(apig4Reasons(prod)).sort()).toEqual(keys.sort());
    expect(nagFindings(prod.app)).toEqual([]);
  });
});

/** route key → its APIG4 acknowledgement reason */
function apig4Reasons(s: Synth): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of s.stateless.node.findAll()) {
    if (!(c instanceof apigw.HttpRoute)) continue;
    // HttpRoute keeps its method private; the route key is what CloudFormation gets
    const routeKey = `${(c as unknown as { method: string }).method} ${c.path}`;
    const ack = Object.entries(acknowledgements(c)).find(([id]) => id.includes('AwsSolutions-APIG4'));
    if (ack) out[routeKey] = ack[1];
  }
  return out;
}

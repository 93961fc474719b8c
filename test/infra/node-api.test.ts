/**
 * The pagoPA node API: 'pagopa-node' routes on their own HTTP API, reachable only through the
 * mutual-TLS domain when one is configured, or behind an IPv4 allow-list authorizer (HTTP APIs
 * have no resource policy and no WAF). Synth refuses a node API with neither, except in a
 * sandbox that opts out loudly, and never in prod. And the cdk-nag APIG4 acknowledgements, which
 * must tell the truth per route and per stage.
 */
import * as vm from 'node:vm';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDeployConfig } from '../../infra/aws/config';
import { IP_ALLOW_LIST_CODE } from '../../infra/aws/constructs/ip-allow-list';
import { buildStacks } from '../../infra/aws/build';
import { catalog, type Catalog } from '../../infra/catalog';
import { fixtureCatalog, fixtureFunctions } from '../fixtures/cdk/catalog';
import { apig4Reasons, MTLS_CONTEXT as MTLS, nagFindings, PROD_CONTEXT, projectRoot, synth, type Synth } from './helpers';

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
    s = synth(fixtureCatalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT });
  });

  it('the node API has its default endpoint disabled; the back-office API keeps its own', () => {
    expect(s.stateless.nodeApiProtection).toBe('mtls');
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
    const reason = apig4Reasons(s.stateless)['POST /node/soap']!;
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

describe('safe by default: synth refuses a node API without client authentication', () => {
  const build = (context: Record<string, string>, cat: Catalog = fixtureCatalog) =>
    buildStacks(new App({ context: { lambdaCode: 'placeholder', ...context } }), { catalog: cat, projectRoot });
  const PROD = { stage: 'prod', alarmEmail: 'ops@example.it' };

  it('stage prod without mTLS or an allow list (the deployment guide\'s old command) fails, naming every key to set', () => {
    for (const cat of [fixtureCatalog, catalog]) {
      let message = '';
      try {
        build(PROD, cat);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^stage 'prod' would expose the pagoPA node API/);
      for (const key of ['nodeMtlsDomain', 'nodeMtlsCertificateArn', 'nodeMtlsTruststoreUri', 'nodeAllowedCidrs', 'sandbox=true', 'nodeApiPublicForTestsOnly=true']) {
        expect(message, key).toContain(key);
      }
      expect(message).toContain("refused for stage 'prod'");
    }
  });

  it('so does any stage not marked as a sandbox, and a sandbox that did not opt out', () => {
    expect(() => build({ stage: 'staging' })).toThrow(/stage 'staging' would expose the pagoPA node API/);
    expect(() => build({ stage: 'dev' })).toThrow(/stage 'dev' would expose the pagoPA node API/);
    expect(() => build({ stage: 'dev', sandbox: 'true' })).toThrow(/stage 'dev' would expose the pagoPA node API/);
    // a catalog without node routes has nothing to protect
    expect(() => build({ stage: 'staging' }, { ...fixtureCatalog, functions: [fixtureFunctions.health] })).not.toThrow();
  });

  it('the opt-out is refused for prod, outside a sandbox, and next to a real protection', () => {
    expect(() => build({ ...PROD, sandbox: 'true', nodeApiPublicForTestsOnly: 'true' })).toThrow(
      /'nodeApiPublicForTestsOnly' is refused for stage 'prod'/,
    );
    expect(() => build({ ...PROD, nodeApiPublicForTestsOnly: 'true' })).toThrow(/'nodeApiPublicForTestsOnly' is refused for stage 'prod'/);
    expect(() => build({ ...PROD, sandbox: 'true', ...MTLS })).toThrow(/'sandbox=true' is refused for stage 'prod'/);
    expect(() => build({ stage: 'test', nodeApiPublicForTestsOnly: 'true' })).toThrow(/needs 'sandbox=true'/);
    expect(() => build({ stage: 'test', sandbox: 'true', nodeApiPublicForTestsOnly: 'true', nodeAllowedCidrs: '203.0.113.0/24' })).toThrow(
      /contradicts the node protection/,
    );
    expect(() => build({ stage: 'test', sandbox: 'yes' })).toThrow(/'sandbox' must be 'true' or 'false'/);
  });

  it('prod also needs somebody to receive its alarms', () => {
    expect(() => build({ stage: 'prod', ...MTLS })).toThrow(/stage 'prod' needs context 'alarmEmail'/);
  });
});

describe('a sandbox that opted out (nodeApiPublicForTestsOnly)', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth(fixtureCatalog, { lambdaCode: 'placeholder', stage: 'dev', sandbox: 'true', nodeApiPublicForTestsOnly: 'true' });
  });

  it('the node API keeps its default endpoint, has no domain and no authorizer, and says so everywhere', () => {
    expect(s.stateless.nodeApiProtection).toBe('public-sandbox');
    expect(apis(s)[logicalIdOf(s, 'NodeApi')]!.Properties.DisableExecuteApiEndpoint).toBe(false);
    expect(apis(s)[logicalIdOf(s, 'NodeApi')]!.Properties.Description).toMatch(/SANDBOX: no client authentication/);
    s.statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    s.statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    s.statelessTemplate.hasOutput('NodeApiUrl', { Description: Match.stringLikeRegexp('SANDBOX: no client authentication') });
    const reason = apig4Reasons(s.stateless)['POST /node/soap']!;
    expect(reason).toMatch(/NO mutual TLS and no IP allow list/);
    expect(reason).toContain('nodeApiPublicForTestsOnly=true');
    expect(reason).not.toContain('client certificate');
    expect(nagFindings(s.app)).toEqual([]);
  });
});

describe('IP allow list in prod (no mTLS, nodeAllowedCidrs)', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth(fixtureCatalog, {
      lambdaCode: 'placeholder',
      stage: 'prod',
      alarmEmail: 'ops@example.it',
      nodeAllowedCidrs: '203.0.113.0/24, 198.51.100.7/32',
    });
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
    expect(s.stateless.nodeApiProtection).toBe('allow-list');
    expect(apis(s)[nodeId]!.Properties.DisableExecuteApiEndpoint).toBe(false); // the allow list is on this endpoint
    s.statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'fixture-layer-prod-node-ip-allow-list',
      Environment: { Variables: { ALLOWED_CIDRS: JSON.stringify(['203.0.113.0/24', '198.51.100.7/32']) } },
    });
    expect(nagFindings(s.app)).toEqual([]);
  });

  it('alarms when the authorizer fails and when the node gets refused (4xx)', () => {
    const alarms = Object.values(s.statelessTemplate.findResources('AWS::CloudWatch::Alarm')) as Res[];
    const watching = (needle: string) => alarms.filter((a) => JSON.stringify(a.Properties.Metrics ?? '').includes(needle));
    expect(watching('node-ip-allow-list').filter((a) => JSON.stringify(a.Properties.Metrics).includes('"Errors"'))).toHaveLength(1);
    expect(watching('"4xx"')).toHaveLength(1);
  });

  it('rejects what is not an IPv4 CIDR', () => {
    const cfg = (v: string) => readDeployConfig(new App({ context: { nodeAllowedCidrs: v } }).node);
    for (const bad of ['203.0.113.0', '203.0.113.0/33', '256.1.1.1/8', '2001:db8::/32', 'any']) expect(() => cfg(bad), bad).toThrow(/nodeAllowedCidrs/);
    expect(cfg('10.0.0.0/8,192.0.2.1/32').nodeAllowedCidrs).toEqual(['10.0.0.0/8', '192.0.2.1/32']);
    // an allow list of the whole internet would be a silent opt-out
    for (const wide of ['0.0.0.0/0', '203.0.113.0/24,128.0.0.0/1', '10.0.0.0/7']) expect(() => cfg(wide), wide).toThrow(/is no allow list/);
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

// The real catalog's node route and APIG4 reasons: real-catalog.test.ts (one shared synth).

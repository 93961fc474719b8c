/**
 * The stacks built from the REAL catalog (infra/catalog.ts), for prod as the deployment guide says
 * to deploy it (mutual TLS, an alarm e-mail), with placeholder code (real bundling is covered in
 * bundling.test.ts and by the bench). ONE synth serves every assertion of this file: a synth of
 * the real catalog is the expensive part of these tests.
 *
 * Also the contract that makes the alarms and the dashboard see something: they watch exactly the
 * namespace, metric and dimensions that a function's Powertools Metrics writes (the real EMF of
 * shared/observability's instrument(), with the environment the stack gives the function).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readDeployConfig } from '../../infra/aws/config';
import { maxMessageAgeSecondsFor } from '../../infra/aws/constructs/alarms';
import { BUSINESS_METRICS, COLD_START_METRIC } from '../../infra/aws/constructs/dashboard';
import { apig4Reason } from '../../infra/aws/stateless-stack';
import { envNameFor, catalog } from '../../infra/catalog';
import { ioApiKeySecretName } from '../../shared/adapters/secrets';
import {
  apig4Reasons,
  dashboardBody,
  functionEnv,
  MTLS_CONTEXT,
  nagFindings,
  PROD_CONTEXT,
  projectRoot,
  roleActions,
  SANDBOX_CONTEXT,
  statementsWith,
  synth,
  type Synth,
} from './helpers';

type AlarmProps = Record<string, any>;
const alarmsOn = (s: Synth, metric: string): AlarmProps[] =>
  Object.values(s.statelessTemplate.findResources('AWS::CloudWatch::Alarm'))
    .map((a) => a.Properties as AlarmProps)
    .filter((p) => p.MetricName === metric);

let s: Synth;
beforeAll(() => {
  s = synth(catalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('real catalog', () => {
  it('has a route for every http trigger and nothing else', () => {
    const expected = catalog.functions.flatMap((f) =>
      f.triggers.flatMap((t) => (t.kind === 'http' ? [`${t.method} ${t.path}`] : [])),
    );
    const routes = Object.values(s.statelessTemplate.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey as string,
    );
    expect(routes.sort()).toEqual(expected.sort());
  });

  it('has every function on nodejs22.x arm64 with its grant env vars', () => {
    const fns = s.statelessTemplate.findResources('AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(catalog.functions.length);
    for (const def of catalog.functions) {
      const [res] = Object.values(fns).filter((f) => f.Properties.FunctionName === `pagopa-layer-prod-${def.id}`);
      expect(res, def.id).toBeDefined();
      expect(res!.Properties.Runtime).toBe('nodejs22.x');
      expect(res!.Properties.Architectures).toEqual(['arm64']);
      const vars = Object.keys(res!.Properties.Environment.Variables);
      for (const g of def.grants) expect(vars).toContain(envNameFor(g.resource, g.id));
      expect(vars).toContain('POWERTOOLS_LOG_LEVEL');
      expect(res!.Properties.Environment.Variables.POWERTOOLS_LOG_LEVEL).not.toBe('DEBUG');
    }
  });

  it('gives table writes only to functions the catalog grants readWrite', () => {
    for (const def of catalog.functions) {
      const actions = roleActions(s.statelessTemplate, def.id);
      const table = def.grants.find((g) => g.resource === 'table');
      expect(actions.has('dynamodb:PutItem'), def.id).toBe(table?.access === 'readWrite');
      expect(actions.has('dynamodb:Query'), def.id).toBe(table !== undefined);
      expect(actions.has('dynamodb:Scan'), def.id).toBe(false);
    }
  });

  it('throttles the expensive back-office routes harder (catalog), the public ones by default', () => {
    const stage = Object.entries(s.statelessTemplate.findResources('AWS::ApiGatewayV2::Stage')).find(([id]) => id.startsWith('HttpApi'))![1];
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    const routes = catalog.functions.flatMap((f) =>
      f.triggers.flatMap((t) => (t.kind === 'http' && (t.audience ?? 'back-office') === 'back-office' ? [`${t.method} ${t.path}`] : [])),
    );
    expect(Object.keys(settings).sort()).toEqual(routes.sort());
    const rate = (k: string) => [settings[k]!.ThrottlingRateLimit, settings[k]!.ThrottlingBurstLimit];
    expect(rate('GET /organizations/{organizationFiscalCode}/debtpositions/{iupd}/notice')).toEqual([10, 20]);
    expect(rate('POST /organizations/{organizationFiscalCode}/notices/batches')).toEqual([2, 5]);
    for (const k of ['GET /health', 'GET /openapi.json', 'POST /receipts']) expect(rate(k), k).toEqual([10, 20]);
    expect(rate('POST /organizations/{organizationFiscalCode}/debtpositions')).toEqual([25, 50]);
    expect(rate('GET /organizations/{organizationFiscalCode}/debtpositions')).toEqual([50, 100]);
  });

  it('the deployment guide states the true number of functions', () => {
    const guide = readFileSync(path.join(projectRoot, 'infra/aws/README.md'), 'utf8');
    const stated = [...guide.matchAll(/\*\*(\d+) functions\*\*/g)].map((m) => Number(m[1]));
    expect(stated.length).toBeGreaterThan(0);
    for (const n of stated) expect(n).toBe(catalog.functions.length);
  });

  it('retains the table in prod and passes cdk-nag with no unacknowledged finding', () => {
    s.statefulTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    expect(nagFindings(s.app)).toEqual([]);
  });
});

describe('presigned uploads: S3 Object Created → the upload-split queue', () => {
  it('the uploads bucket notifies EventBridge (no custom resource) and one rule sends its uploads/ keys to upload-split', () => {
    const buckets = Object.values(s.statefulTemplate.findResources('AWS::S3::Bucket')) as Array<{ Properties: Record<string, any> }>;
    expect(buckets.filter((b) => b.Properties['NotificationConfiguration']?.EventBridgeConfiguration?.EventBridgeEnabled === true)).toHaveLength(1);
    expect(Object.keys(s.statefulTemplate.findResources('Custom::S3BucketNotifications'))).toEqual([]);
    const rules = Object.values(s.statelessTemplate.findResources('AWS::Events::Rule')).filter((r: any) => r.Properties.EventPattern?.source?.[0] === 'aws.s3') as Array<{ Properties: Record<string, any> }>;
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties['EventPattern']).toMatchObject({ 'detail-type': ['Object Created'], detail: { object: { key: [{ prefix: 'uploads/' }] } } });
    const target = rules[0]!.Properties['Targets'][0];
    const queues = s.statelessTemplate.findResources('AWS::SQS::Queue');
    const [queueId] = Object.entries(queues).find(([, q]: [string, any]) => q.Properties.QueueName === 'pagopa-layer-prod-upload-split')!;
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
  });
});

describe('routes without an API key and their APIG4 reasons', () => {
  const routes = () => Object.values(s.statelessTemplate.findResources('AWS::ApiGatewayV2::Route')) as Array<{ Properties: Record<string, any> }>;

  it('only POST /pagopa/paForNode is on the node API', () => {
    const [nodeId] = Object.keys(s.statelessTemplate.findResources('AWS::ApiGatewayV2::Api')).filter((id) => id.startsWith('NodeApi'));
    const onNode = routes().filter((r) => r.Properties.ApiId.Ref === nodeId).map((r) => r.Properties.RouteKey);
    expect(onNode).toEqual(['POST /pagopa/paForNode']);
  });

  it('say the truth for every route, in prod (synthesised) and in a sandbox that opted out', () => {
    const sandbox = readDeployConfig(new App({ context: SANDBOX_CONTEXT }).node);
    const sandboxReasons = Object.fromEntries(
      catalog.functions.flatMap((f) =>
        f.triggers.flatMap((t) => (t.kind === 'http' ? [[`${t.method} ${t.path}`, apig4Reason(t, sandbox)] as const] : [])),
      ),
    );
    for (const reasons of [apig4Reasons(s.stateless), sandboxReasons]) {
      expect(reasons['GET /health']).toMatch(/public on purpose/);
      expect(reasons['GET /openapi.json']).toMatch(/public on purpose/);
      expect(reasons['GET /docs']).toMatch(/public on purpose/);
      expect(reasons['GET /docs/redoc.standalone.js']).toMatch(/public on purpose/);
      expect(reasons['POST /receipts']).toMatch(/HMAC-SHA256 X-Receipt-Signature/);
      expect(reasons['POST /receipts']).not.toMatch(/public on purpose/);
      expect(reasons['POST /pagopa/paForNode']).toMatch(/caller ids \(idPA\/idBrokerPA\/idStation\)/);
      expect(reasons['POST /pagopa/paForNode']).not.toMatch(/public on purpose/);
      for (const [route, reason] of Object.entries(reasons)) {
        // the operator console's API: no tenant key, the operator's bearer token verified by the function
        const console = route.includes(' /console-api/');
        if (console) expect(reason, route).toMatch(/OpenID Connect bearer token/);
        // the citizen's counter: no tenant key, the citizen's SPID/CIE session verified by the function
        const counter = / \/cittadino(\/|$)/.test(route);
        if (counter) expect(reason, route).toMatch(/SPID\/CIE SAML assertion/);
        const unauthenticated = console || counter || ['GET /health', 'GET /openapi.json', 'GET /docs', 'GET /docs/redoc.standalone.js', 'POST /receipts', 'POST /pagopa/paForNode'].includes(route);
        expect(reason.includes('Ocp-Apim-Subscription-Key'), route).toBe(!unauthenticated);
        expect(reason.startsWith(`${route}: `), route).toBe(true);
      }
    }
    expect(apig4Reasons(s.stateless)['POST /pagopa/paForNode']).toContain(`only through https://${MTLS_CONTEXT.nodeMtlsDomain}`);
    expect(sandboxReasons['POST /pagopa/paForNode']).toContain("sandbox stage 'dev' has NO mutual TLS");
  });

  it('every route is acknowledged, and nag passes with mTLS', () => {
    const keys = catalog.functions.flatMap((f) => f.triggers.flatMap((t) => (t.kind === 'http' ? [`${t.method} ${t.path}`] : [])));
    expect(Object.keys(apig4Reasons(s.stateless)).sort()).toEqual(keys.sort());
    expect(nagFindings(s.app)).toEqual([]);
  });
});

describe('the real io-sender', () => {
  const secretArn = (prefix: string) =>
    s.stateless.resolve(`arn:${s.stateless.partition}:secretsmanager:${s.stateless.region}:${s.stateless.account}:secret:${prefix}*`);

  it('reads App IO keys under pagopa-layer/io/ and the names it builds fall under the grant', () => {
    const env = functionEnv(s.statelessTemplate, 'pagopa-layer-prod-io-sender');
    expect(env['IO_SECRET_PREFIX']).toBe('pagopa-layer/io/');
    const name = ioApiKeySecretName(String(env['IO_SECRET_PREFIX']), '80001234568', '01EXAMPLESERVICE');
    expect(name).toBe('pagopa-layer/io/80001234568/01EXAMPLESERVICE');
    expect(statementsWith(s.statelessTemplate, 'io-sender', 'secretsmanager:GetSecretValue')).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: secretArn('pagopa-layer/io/') },
    ]);
    // no other function of the layer reads secrets or sends e-mail (but the FdR acquirer, below, and
    // the citizen's counter: Checkout keys and its SP key pair, test/infra/citizen-counter.test.ts)
    for (const def of catalog.functions.filter((f) => !['io-sender', 'reporting-flow-acquirer', 'citizen-counter'].includes(f.id))) {
      const actions = [...roleActions(s.statelessTemplate, def.id)];
      expect(actions.filter((a) => a.startsWith('secretsmanager:') || a.startsWith('ses:')), def.id).toEqual([]);
    }
  });

  it('the FdR acquirer reads only the tenants\' FdR keys under pagopa-layer/fdr/, and sends no e-mail', () => {
    const env = functionEnv(s.statelessTemplate, 'pagopa-layer-prod-reporting-flow-acquirer');
    expect(env['FDR_SECRET_PREFIX']).toBe('pagopa-layer/fdr/');
    expect(statementsWith(s.statelessTemplate, 'reporting-flow-acquirer', 'secretsmanager:GetSecretValue')).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: secretArn('pagopa-layer/fdr/') },
    ]);
    expect([...roleActions(s.statelessTemplate, 'reporting-flow-acquirer')].some((a) => a.startsWith('ses:'))).toBe(false);
  });

  it('has e-mail off without an SES identity', () => {
    expect(functionEnv(s.statelessTemplate, 'pagopa-layer-prod-io-sender')['EMAIL_TRANSPORT']).toBe('none');
    expect([...roleActions(s.statelessTemplate, 'io-sender')].some((a) => a.startsWith('ses:'))).toBe(false);
  });
});

describe('the real upload report route', () => {
  it('reads and writes only results/* of the uploads bucket (the large result files), never the uploaded files', () => {
    const objectResource = (action: string) => statementsWith(s.statelessTemplate, 'upload-file-report', action).map((st) => JSON.stringify(st.Resource));
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      const resources = objectResource(action);
      expect(resources, action).toHaveLength(1);
      expect(resources[0], action).toMatch(/\/results\/\*"\]\]\}$/);
    }
    // the upload route and the splitter keep the whole bucket (the uploaded files)
    expect(statementsWith(s.statelessTemplate, 'upload-splitter', 's3:GetObject').map((st) => JSON.stringify(st.Resource))[0]).toMatch(/"\/\*"\]\]\}$/);
    const env = functionEnv(s.statelessTemplate, 'pagopa-layer-prod-upload-file-report');
    expect(Object.keys(env)).toContain('BUCKET_NAME_UPLOADS');
  });
});

describe('ReconciliationAnomaly', () => {
  it('alarms on the first anomaly of the FdR acquirer and of the scheduler (not reported in time), pointing at the anomalies API', async () => {
    const found = alarmsOn(s, 'ReconciliationAnomaly');
    expect(found).toHaveLength(2);
    const services = found.map((a) => (a.Dimensions as Array<{ Name: string; Value: string }>)[0]!.Value).sort();
    expect(services).toEqual(
      ['reporting-flow-acquirer', 'reporting-flow-scheduler'].map((id) => String(functionEnv(s.statelessTemplate, `pagopa-layer-prod-${id}`)['POWERTOOLS_SERVICE_NAME'])).sort(),
    );
    for (const alarm of found) {
      expect(alarm).toMatchObject({ Namespace: 'PagopaLayer', Statistic: 'Sum', Period: 300, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(alarm.AlarmDescription).toMatch(/reconciliation\/anomalies/);
    }
    // what the acquirer emits (EMF) is what the alarm watches
    const env = functionEnv(s.statelessTemplate, 'pagopa-layer-prod-reporting-flow-acquirer');
    const emf = await emitThroughInstrument(env, 'pagopa-layer-prod-reporting-flow-acquirer', ['ReconciliationAnomaly']);
    expect(emf.some((b) => b._aws.CloudWatchMetrics[0].Metrics.some((m: { Name: string }) => m.Name === 'ReconciliationAnomaly'))).toBe(true);
  });
});

describe('ReceiptAnomaly', () => {
  let alarm: AlarmProps;
  let env: Record<string, unknown>;
  beforeAll(() => {
    const found = alarmsOn(s, 'ReceiptAnomaly');
    expect(found).toHaveLength(1);
    alarm = found[0]!;
    env = functionEnv(s.statelessTemplate, 'pagopa-layer-prod-receipt-processor');
  });

  it('fires on the first anomaly in 5 minutes and says the money has moved', () => {
    expect(alarm).toMatchObject({
      Namespace: 'PagopaLayer',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.AlarmDescription).toMatch(/money has moved/);
    expect(alarm.AlarmDescription).toMatch(/receipts\/anomalies/);
    expect(env['POWERTOOLS_METRICS_NAMESPACE']).toBe('PagopaLayer');
    expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: env['POWERTOOLS_SERVICE_NAME'] }]);
  });

  it('watches exactly what the receipt processor emits (EMF) with the environment the stack gives it', async () => {
    const emf = await emitThroughInstrument(env, 'pagopa-layer-prod-receipt-processor', ['ReceiptAnomaly']);
    const blob = emf.find((b) => b._aws.CloudWatchMetrics[0].Metrics.some((m: { Name: string }) => m.Name === 'ReceiptAnomaly'))!;
    const [directive] = blob._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe(alarm.Namespace);
    expect(directive.Metrics.map((m: { Name: string }) => m.Name)).toContain(alarm.MetricName);
    // the alarm's dimensions are exactly one dimension set of the metric, with the same values
    const alarmDims = (alarm.Dimensions as Array<{ Name: string; Value: string }>).map((d) => d.Name).sort();
    expect(directive.Dimensions.map((set: string[]) => [...set].sort())).toContainEqual(alarmDims);
    for (const d of alarm.Dimensions as Array<{ Name: string; Value: string }>) expect(blob[d.Name]).toBe(d.Value);
    expect(blob[alarm.MetricName]).toBe(1);
  });
});

describe('alarms and dashboard', () => {
  it('every main queue alarms on its oldest message, past the time its consumer may legitimately keep retrying', () => {
    const ages = alarmsOn(s, 'ApproximateAgeOfOldestMessage');
    expect(ages).toHaveLength(catalog.queues.length);
    const byQueue = Object.fromEntries(catalog.queues.map((q) => [q.id, maxMessageAgeSecondsFor(q)]));
    expect(byQueue).toEqual({
      receipts: 900, // 180 s × 5 receives: a receipt not applied within 15 minutes
      'webhook-fanout': 900,
      'webhook-delivery': 3 * 3600, // the deliverer backs off up to an hour between tries
      'notice-render': 900,
      'notice-batch': 2160, // 720 s × 3
      'io-messages': 4 * 3600, // io-sender backs off up to 15 minutes between its 20 tries
      'reporting-flows': 6 * 3600, // the FdR acquirer backs off up to an hour between its 8 tries
      'upload-split': 16200, // 5400 s × 3: a split of 100,000 rows may take its whole visibility
      'upload-chunks': 3600, // 720 s × 5
    });
    expect(ages.map((a) => a.Threshold).sort((x, y) => x - y)).toEqual(Object.values(byQueue).sort((x, y) => x - y));
    expect(alarmsOn(s, 'IteratorAge')).toHaveLength(1); // the event dispatcher, the one table-stream consumer
  });

  it('scheduled functions alarm on any failed run; the others on an error rate', () => {
    const scheduled = catalog.functions.filter((f) => f.triggers.every((t) => t.kind === 'schedule')).map((f) => f.id);
    expect(scheduled.sort()).toEqual(['advance-position-statuses', 'io-reminders', 'repair-bulk-operations', 'reporting-flow-scheduler', 'upload-follow-up']);
    const rates = Object.values(s.statelessTemplate.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties as AlarmProps)
      .filter((p) => JSON.stringify(p.Metrics ?? []).includes('"MetricName":"Invocations"'));
    expect(rates).toHaveLength(catalog.functions.length);
    expect(rates.filter((p) => p.Threshold === 1 && JSON.stringify(p.Metrics).includes('IF(total >= 1,'))).toHaveLength(scheduled.length);
  });

  it('the stage dashboard shows every business metric and the cold starts, summed over all the functions', () => {
    const body = dashboardBody(s);
    expect(body.name).toBe('pagopa-layer-prod');
    for (const name of [...BUSINESS_METRICS, COLD_START_METRIC]) {
      const lines = body.metrics.filter((m) => m[0] === 'PagopaLayer' && m[1] === name);
      expect(lines, name).toHaveLength(catalog.functions.length);
      expect(body.expressions.filter((e) => e.label === name), name).toHaveLength(1);
    }
    s.statelessTemplate.hasOutput('DashboardName', { Value: 'pagopa-layer-prod' });
  });

  it('the dashboard watches exactly what a function emits through the shared instrument() (EMF, with the environment the stack gives it)', async () => {
    const fnName = 'pagopa-layer-prod-create-debt-position';
    const emf = await emitThroughInstrument(functionEnv(s.statelessTemplate, fnName), fnName, BUSINESS_METRICS);
    // namespace|metric|dimension=value,... (dimensions sorted), as EMF writes it and as the dashboard reads it
    const key = (ns: string, name: string, dims: Array<readonly [string, string]>) =>
      `${ns}|${name}|${[...dims].sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => `${k}=${v}`).join(',')}`;
    const emitted = emf.flatMap((blob) =>
      (blob._aws.CloudWatchMetrics as Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>).flatMap((d) =>
        d.Metrics.map((m) => key(d.Namespace, m.Name, d.Dimensions[0]!.map((n) => [n, String(blob[n])] as const))),
      ),
    );
    const onDashboard = new Set(
      dashboardBody(s).metrics.map(([ns, name, ...pairs]) =>
        key(ns!, name!, Array.from({ length: pairs.length / 2 }, (_, i) => [pairs[2 * i]!, pairs[2 * i + 1]!] as const)),
      ),
    );
    expect(emitted.map((k) => k.split('|')[1]).sort()).toEqual([...BUSINESS_METRICS, COLD_START_METRIC].sort());
    for (const k of emitted) expect(onDashboard.has(k), k).toBe(true);
  });
});

/**
 * Runs a handler wrapped in the shared instrument() (shared/observability/lambda.ts) as Lambda
 * would (on-demand, a fresh module: a cold start), counting the given metrics; returns the EMF
 * blobs it printed.
 */
async function emitThroughInstrument(
  env: Record<string, unknown>,
  functionName: string,
  metrics: readonly string[],
): Promise<Array<Record<string, any>>> {
  for (const [k, v] of Object.entries(env)) if (k.startsWith('POWERTOOLS_')) vi.stubEnv(k, String(v));
  vi.stubEnv('POWERTOOLS_DEV', '');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
  vi.resetModules();
  const { instrument, telemetry } = await import('../../shared/observability/lambda');
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write);
  try {
    const handler = instrument(async () => {
      for (const m of metrics) telemetry().count(m as never);
      return { statusCode: 200 };
    });
    await handler({}, { functionName, awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as never);
  } finally {
    vi.restoreAllMocks();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{') && l.includes('CloudWatchMetrics'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

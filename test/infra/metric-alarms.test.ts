/**
 * Catalog metric alarms (FunctionDef.alarms), and the contract that makes them fire: the alarm
 * watches exactly the namespace, metric and `service` dimension that the receipt processor's
 * Powertools Metrics writes (its real EMF output, with the environment the stack gives it).
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateCatalogForAws } from '../../infra/aws/validate-catalog';
import { catalog, type Catalog } from '../../infra/catalog';
import { fixtureCatalog, fixtureFunctions } from '../fixtures/cdk/catalog';
import { functionEnv, synth, type Synth } from './helpers';

type AlarmProps = Record<string, any>;
const alarmsOn = (s: Synth, metric: string): AlarmProps[] =>
  Object.values(s.statelessTemplate.findResources('AWS::CloudWatch::Alarm'))
    .map((a) => a.Properties as AlarmProps)
    .filter((p) => p.MetricName === metric);

describe('fixture metric alarm', () => {
  it('is Sum over 5 minutes >= threshold on the function service dimension, to the alarm topic', () => {
    const s = synth(fixtureCatalog, { lambdaCode: 'placeholder' });
    const [alarm, ...others] = alarmsOn(s, 'RenderGaveUp');
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      Namespace: 'FixtureLayer',
      Dimensions: [{ Name: 'service', Value: 'fixture-layer-dev-renderer' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: "fixture-layer-dev: 'renderer' RenderGaveUp. fixture: a render was given up.",
    });
    expect(alarm!.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
    expect(functionEnv(s.statelessTemplate, 'fixture-layer-dev-renderer')['POWERTOOLS_SERVICE_NAME']).toBe('fixture-layer-dev-renderer');
  });

  it('an alarm on another namespace than the functions write to is a catalog error', () => {
    const wrong: Catalog = {
      ...fixtureCatalog,
      functions: [{ ...fixtureFunctions.renderer, alarms: [{ metric: 'X', namespace: 'Elsewhere', threshold: 1, description: 'd' }] }],
    };
    expect(() => validateCatalogForAws(wrong)).toThrow(/watches namespace 'Elsewhere', but the functions write metrics to 'FixtureLayer'/);
    const zero: Catalog = {
      ...fixtureCatalog,
      functions: [{ ...fixtureFunctions.renderer, alarms: [{ metric: 'X', namespace: 'FixtureLayer', threshold: 0, description: 'd' }] }],
    };
    expect(() => validateCatalogForAws(zero)).toThrow(/threshold > 0/);
  });
});

describe('ReceiptAnomaly (real catalog)', () => {
  let s: Synth;
  let alarm: AlarmProps;
  let env: Record<string, unknown>;
  beforeAll(() => {
    s = synth(catalog, { lambdaCode: 'placeholder', stage: 'prod' });
    const found = alarmsOn(s, 'ReceiptAnomaly');
    expect(found).toHaveLength(1);
    alarm = found[0]!;
    env = functionEnv(s.statelessTemplate, 'pagopa-layer-prod-receipt-processor');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
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
    for (const [k, v] of Object.entries(env)) if (k.startsWith('POWERTOOLS_')) vi.stubEnv(k, String(v));
    vi.stubEnv('POWERTOOLS_DEV', '');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write);
    const { createAnomalyMetrics } = await import('../../shared/receipts-composition');
    const metrics = createAnomalyMetrics();
    metrics.count({} as never);
    metrics.flush();
    vi.restoreAllMocks();
    const emf = lines.map((l) => l.trim()).filter((l) => l.startsWith('{') && l.includes('CloudWatchMetrics')).map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    const [directive] = emf[0]._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe(alarm.Namespace);
    expect(directive.Metrics.map((m: { Name: string }) => m.Name)).toContain(alarm.MetricName);
    // the alarm's dimensions are exactly one dimension set of the metric, with the same values
    const alarmDims = (alarm.Dimensions as Array<{ Name: string; Value: string }>).map((d) => d.Name).sort();
    expect(directive.Dimensions.map((set: string[]) => [...set].sort())).toContainEqual(alarmDims);
    for (const d of alarm.Dimensions as Array<{ Name: string; Value: string }>) expect(emf[0][d.Name]).toBe(d.Value);
    expect(emf[0][alarm.MetricName]).toBe(1);
  });
});

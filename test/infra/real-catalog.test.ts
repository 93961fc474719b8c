/**
 * The stacks built from the REAL catalog (infra/catalog.ts), as `cdk deploy` would build them,
 * with placeholder code (real bundling is covered in bundling.test.ts and by the bench).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { envNameFor, catalog } from '../../infra/catalog';
import { nagFindings, roleActions, synth, type Synth } from './helpers';

let s: Synth;
beforeAll(() => {
  s = synth(catalog, { lambdaCode: 'placeholder', stage: 'prod' });
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

  it('retains the table in prod and passes cdk-nag with no unacknowledged finding', () => {
    s.statefulTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    expect(nagFindings(s.app)).toEqual([]);
  });
});

/**
 * Builds the stacks in memory for the infra tests (the same buildStacks as app.ts) and runs
 * cdk-nag on them the way `cdk synth` does.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations, type Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Catalog } from '../../infra/catalog';
import { buildStacks, type BuiltStacks } from '../../infra/aws/build';

/** where synth() keeps its results (see synthMemo) */
const SYNTH_MEMO = Symbol.for('pagopa-layer/test/infra/helpers/synth-memo');

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** the context of cdk.json (its feature flags above all), so tests synthesise like the CLI does */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')).context;

/**
 * What a test that names no stage synthesises: a dev SANDBOX whose node API, unless the test
 * protects it (nodeMtls* or nodeAllowedCidrs), opted out of client authentication (the only way
 * synth accepts a node API with neither). A test that passes `stage` gets none of it.
 */
export const SANDBOX_CONTEXT = { stage: 'dev', sandbox: 'true', nodeApiPublicForTestsOnly: 'true' } as const;

/** mutual TLS for the node API (the three required keys) */
export const MTLS_CONTEXT = {
  nodeMtlsDomain: 'nodo.pagopa-layer.comune.example.it',
  nodeMtlsCertificateArn: 'arn:aws:acm:eu-south-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  nodeMtlsTruststoreUri: 's3://truststores-example/pagopa-node-ca.pem',
} as const;

/** a production stage as the deployment guide says to synthesise one */
export const PROD_CONTEXT = { stage: 'prod', alarmEmail: 'ops@example.it', ...MTLS_CONTEXT } as const;

export interface Synth extends BuiltStacks {
  readonly app: App;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

/**
 * The stateless stack's template with its alarms' nested stack and the nested stacks of functions
 * (NESTED_FUNCTION_STACKS) folded in: the tests read the layer's stateless resources as one set,
 * wherever CloudFormation's 500-resource limit puts them. A reference from a nested stack to the
 * parent is a `Ref` to one of its parameters there (see nestedParameter).
 */
function withNested(stateless: { readonly alarmStack: Stack; readonly functionStacks: ReadonlyMap<string, Stack> } & Stack): Template {
  const parent = Template.fromStack(stateless).toJSON() as { Resources?: Record<string, unknown> };
  const nested = [stateless.alarmStack, ...stateless.functionStacks.values()].map(
    (n) => (Template.fromStack(n).toJSON() as { Resources?: Record<string, unknown> }).Resources,
  );
  return Template.fromJSON({ ...parent, Resources: Object.assign({}, parent.Resources, ...nested) });
}

/**
 * What a `Ref` to a parameter of a function's nested stack is in the parent: the value the parent
 * passes (e.g. `{ Ref: <HttpApi logical id> }`); anything else is returned unchanged.
 */
export function nestedParameter(s: Synth, nestedStackId: string, value: unknown): unknown {
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  if (typeof ref !== 'string') return value;
  const nested = s.stateless.functionStacks.get(nestedStackId);
  if (!nested) throw new Error(`no nested function stack ${nestedStackId}`);
  const parent = Template.fromStack(s.stateless).toJSON() as { Resources: Record<string, { Type: string; Properties?: { Parameters?: Record<string, unknown> } }> };
  const resourceId = s.stateless.getLogicalId(nested.nestedStackResource as never);
  const parameters = parent.Resources[resourceId]?.Properties?.Parameters ?? {};
  return ref in parameters ? parameters[ref] : value;
}

/**
 * The stacks of a catalog for a context. A synth of the real catalog takes seconds, and several
 * files synthesise the same one (vitest.config.ts runs the files of test/infra one after another
 * in reused workers), so each (catalog, context) is built once per worker and the same result
 * handed to every test that asks for it: read it, never change it (a test that needs another
 * variant synthesises its own context). That is checked: a construct or a metadata entry (an
 * acknowledgement, an annotation) added since the synth makes the next synth() of it throw.
 */
export function synth(catalog: Catalog, context: Record<string, string> = {}): Synth {
  const protectedNode = context['nodeAllowedCidrs'] !== undefined || context['nodeMtlsDomain'] !== undefined;
  const stageDefaults =
    context['stage'] !== undefined ? {} : protectedNode ? { stage: 'dev', sandbox: 'true' } : SANDBOX_CONTEXT;
  const appContext: Record<string, unknown> = { ...CDK_JSON_CONTEXT, ...stageDefaults, ...context };
  const key = synthKey(catalog, appContext);
  const known = key === undefined ? undefined : synthMemo.get(key);
  if (known) {
    if (treeFingerprint(known.synth.app) !== known.fingerprint) {
      throw new Error('a test changed the construct tree of a shared synth (helpers.ts synth): synthesise a fresh App for it instead');
    }
    return { ...known.synth };
  }
  const app = new App({ context: appContext });
  const built = buildStacks(app, { catalog, projectRoot, env: { region: 'eu-south-1' } });
  const result: Synth = {
    ...built,
    app,
    statefulTemplate: Template.fromStack(built.stateful),
    statelessTemplate: withNested(built.stateless),
  };
  if (key !== undefined) synthMemo.set(key, { synth: result, fingerprint: treeFingerprint(app) });
  return { ...result };
}

/**
 * The synths of this worker, by synthKey. On globalThis rather than in this module: a test that
 * calls vi.resetModules() (real-catalog.test.ts, for a fresh Powertools) re-evaluates this module
 * for the files after it, and the synths are as good as before.
 */
const synthMemo: Map<string, { readonly synth: Synth; readonly fingerprint: string }> = ((
  globalThis as { [SYNTH_MEMO]?: Map<string, { readonly synth: Synth; readonly fingerprint: string }> }
)[SYNTH_MEMO] ??= new Map());

/**
 * What a synth depends on, as text: the catalog exactly as it is (key order included) and the
 * App's context (a map: its keys sorted). Undefined, so no sharing, for a catalog that is not plain
 * data (a function, a class instance, a cycle), which text could not tell apart.
 */
function synthKey(catalog: Catalog, context: Record<string, unknown>): string | undefined {
  const sortedContext = Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const catalogText = plainData(catalog, new Set());
  const contextText = plainData(sortedContext, new Set());
  return catalogText === undefined || contextText === undefined ? undefined : `${catalogText}\n${contextText}`;
}

function plainData(value: unknown, ancestors: Set<object>): string | undefined {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value !== 'object' || ancestors.has(value)) return undefined;
  const proto = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (!isArray && proto !== Object.prototype && proto !== null) return undefined;
  // every own property is an enumerable string key (an array's own `length` aside): nothing hidden
  const names = Object.getOwnPropertyNames(value).length - (isArray ? 1 : 0);
  if (Object.getOwnPropertySymbols(value).length > 0 || names !== Object.keys(value).length) return undefined;
  ancestors.add(value);
  try {
    const parts: string[] = [];
    if (isArray) {
      if (Object.keys(value).length !== value.length) return undefined; // holes or extra properties
      for (const item of value) {
        const text = plainData(item, ancestors);
        if (text === undefined) return undefined;
        parts.push(text);
      }
      return `[${parts.join(',')}]`;
    }
    for (const [k, v] of Object.entries(value)) {
      const text = plainData(v, ancestors);
      if (text === undefined) return undefined;
      parts.push(`${JSON.stringify(k)}:${text}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

/** every construct of an app with its number of metadata entries: what a test could add to a shared synth */
function treeFingerprint(app: App): string {
  return createHash('sha256')
    .update(app.node.findAll().map((c) => `${c.node.path}#${c.node.metadata.length}`).join('\n'))
    .digest('hex');
}

/** every unacknowledged AwsSolutions finding, as "RuleId @ path" lines */
export function nagFindings(scope: Stack | App): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`));
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** all actions allowed by the inline policies attached to a function's role */
export function roleActions(template: Template, functionId: string): Set<string> {
  const policies = template.findResources('AWS::IAM::Policy');
  const actions = new Set<string>();
  for (const [logicalId, res] of Object.entries(policies)) {
    if (!logicalId.startsWith(logicalPrefix(functionId))) continue;
    for (const s of (res as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
      .Statement) {
      for (const a of [s.Action].flat()) actions.add(a);
    }
  }
  return actions;
}

/** statements of a function's role policies that allow a given action */
export function statementsWith(template: Template, functionId: string, action: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const out: Statement[] = [];
  for (const [logicalId, res] of Object.entries(policies)) {
    if (!logicalId.startsWith(logicalPrefix(functionId))) continue;
    for (const s of (res as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
      .Statement) {
      if ([s.Action].flat().includes(action)) out.push(s);
    }
  }
  return out;
}

/** CDK logical ids drop non-alphanumerics: construct `Fn-get-thing` → `Fngetthing...` */
export function logicalPrefix(functionId: string): string {
  return `Fn${functionId.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** the cdk-nag acknowledgements recorded on one construct: rule id → reason */
export function acknowledgements(construct: IConstruct): Record<string, string> {
  return Object.assign(
    {},
    ...construct.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((m) => m.data as Record<string, string>),
  );
}

/** the environment variables of a function, by catalog id */
export function functionEnv(template: Template, functionName: string): Record<string, unknown> {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: functionName } }));
  if (!fn) throw new Error(`no function ${functionName}`);
  return fn.Properties.Environment.Variables as Record<string, unknown>;
}

export interface DashboardBody {
  readonly name: string;
  /** the body with every CloudFormation token replaced by <token> */
  readonly raw: string;
  readonly widgets: Array<{ type: string; properties?: { title?: string; metrics?: unknown[][] } }>;
  /** every plain metric of every widget: [namespace, name, dimension name, value, ...] */
  readonly metrics: string[][];
  readonly expressions: Array<{ expression: string; label?: string }>;
}

/** the stage dashboard of a stateless stack, parsed */
export function dashboardBody(s: Synth): DashboardBody {
  const dashboards = Object.values(s.statelessTemplate.findResources('AWS::CloudWatch::Dashboard'));
  if (dashboards.length !== 1) throw new Error(`expected one dashboard, found ${dashboards.length}`);
  const { DashboardBody: body, DashboardName: name } = dashboards[0]!.Properties as { DashboardBody: unknown; DashboardName: string };
  const raw =
    typeof body === 'string'
      ? body
      : ((body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '<token>')).join(''));
  const widgets = (JSON.parse(raw) as { widgets: DashboardBody['widgets'] }).widgets;
  const entries = widgets.flatMap((w) => w.properties?.metrics ?? []);
  return {
    name,
    raw,
    widgets,
    metrics: entries.filter((e) => typeof e[0] === 'string').map((e) => e.filter((x): x is string => typeof x === 'string')),
    expressions: entries
      .filter((e) => e.length === 1 && typeof e[0] === 'object' && e[0] !== null && 'expression' in e[0])
      .map((e) => e[0] as { expression: string; label?: string }),
  };
}

/** route key → its cdk-nag APIG4 acknowledgement reason, for every route of a stack that has one */
export function apig4Reasons(stack: Stack): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of stack.node.findAll()) {
    if (!(c instanceof apigw.HttpRoute)) continue;
    // HttpRoute keeps its method private; the route key is what CloudFormation gets
    const routeKey = `${(c as unknown as { method: string }).method} ${c.path}`;
    const ack = Object.entries(acknowledgements(c)).find(([id]) => id.includes('AwsSolutions-APIG4'));
    if (ack) out[routeKey] = ack[1];
  }
  return out;
}

/**
 * Builds the stacks in memory for the infra tests (the same buildStacks as app.ts) and runs
 * cdk-nag on them the way `cdk synth` does.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Catalog } from '../../infra/catalog';
import { buildStacks, type BuiltStacks } from '../../infra/aws/build';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** the feature flags of cdk.json, so tests synthesise like the CLI does */
const CDK_JSON_CONTEXT = {
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/core:target-partitions': ['aws'],
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion': true,
};

export interface Synth extends BuiltStacks {
  readonly app: App;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

export function synth(catalog: Catalog, context: Record<string, string> = {}): Synth {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, stage: 'dev', ...context } });
  const built = buildStacks(app, { catalog, projectRoot, env: { region: 'eu-south-1' } });
  return {
    ...built,
    app,
    statefulTemplate: Template.fromStack(built.stateful),
    statelessTemplate: Template.fromStack(built.stateless),
  };
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

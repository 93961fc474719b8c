/**
 * Builds the two stacks of one stage from a catalog. Shared by app.ts and the infra tests, so the
 * tests synthesise exactly what `cdk deploy` would (including with a fixture catalog).
 */
import { Tags, type App, type Environment } from 'aws-cdk-lib';
import type { Catalog } from '../catalog';
import { readDeployConfig, type DeployConfig } from './config';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

const CROSS_STACK_FLAG = '@aws-cdk/core:defaultCrossStackReferences';

export interface BuildOptions {
  readonly catalog: Catalog;
  /** absolute repository root (catalog entries are relative to it) */
  readonly projectRoot: string;
  readonly env?: Environment;
}

export interface BuiltStacks {
  readonly config: DeployConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

export function buildStacks(app: App, opts: BuildOptions): BuiltStacks {
  // The stateless stack must never outlive the table/key it uses: CloudFormation-enforced
  // (strong) references, stated explicitly rather than taken as a default that CDK will change.
  if (app.node.tryGetContext(CROSS_STACK_FLAG) === undefined) app.node.setContext(CROSS_STACK_FLAG, 'strong');
  const config = readDeployConfig(app.node);
  const base = `PagopaLayer-${config.stage}`;
  // Stack-level tags (CloudFormation propagates them to every resource it can tag), given
  // explicitly: with @aws-cdk/core:explicitStackTags, Tags.of(stack) no longer sets them.
  const tags = { service: opts.catalog.service, stage: config.stage };
  const stateful = new StatefulStack(app, `${base}-Stateful`, {
    catalog: opts.catalog,
    config,
    ...(opts.env ? { env: opts.env } : {}),
    description: `${opts.catalog.service} (${config.stage}): key, table, buckets`,
    terminationProtection: config.retainData,
    tags,
  });
  const stateless = new StatelessStack(app, `${base}-Stateless`, {
    catalog: opts.catalog,
    config,
    projectRoot: opts.projectRoot,
    table: stateful.table,
    key: stateful.key,
    bucketNameExports: stateful.bucketNameExports,
    ...(opts.env ? { env: opts.env } : {}),
    description: `${opts.catalog.service} (${config.stage}): functions, API, queues, alarms, dashboard`,
    tags,
  });
  stateless.addStackDependency(stateful, 'bucket names are imported by export name');
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('service', opts.catalog.service);
    Tags.of(stack).add('stage', config.stage);
  }
  return { config, stateful, stateless };
}

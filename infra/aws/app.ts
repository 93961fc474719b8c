/**
 * The CDK app: `npx cdk synth|deploy --all [-c stage=prod]` (cdk.json runs this file with tsx).
 * Two stacks per stage, both built from infra/catalog.ts; cdk-nag AwsSolutions checks every
 * resource and fails the synth on any finding that is not acknowledged next to its resource.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { catalog } from '../catalog';
import { buildStacks } from './build';
import { DeployConfigError } from './config';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const app = new App();
try {
  buildStacks(app, {
    catalog,
    projectRoot,
    // Environment-agnostic without credentials (synth works offline); pinned when the CLI knows
    // the account. Milan unless told otherwise.
    env: {
      ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
      region: process.env.CDK_DEFAULT_REGION ?? 'eu-south-1',
    },
  });
} catch (e) {
  // a refused configuration is an answer for the operator, not a crash: the message, no stack
  if (!(e instanceof DeployConfigError)) throw e;
  console.error(`\nSynth refused: ${e.message}\n`);
  process.exit(1);
}
// cdk-nag 3 is a policy-validation plugin (not an Aspect): it runs after synthesis and fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
app.synth();

/**
 * One Lambda function of the catalog: its own role with exactly its grants, its own encrypted
 * log group, env vars derived from the grants, and the shared bundling options.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { envNameFor, envNamesOf, type FunctionDef } from '../../catalog';
import { cdkBundlingOptions } from '../bundling';
import type { DeployConfig } from '../config';
import { statementsFor, type GrantTargets } from './grants';

export interface CatalogFunctionProps {
  readonly def: FunctionDef;
  readonly service: string;
  /** the catalog's metricsNamespace: POWERTOOLS_METRICS_NAMESPACE */
  readonly metricsNamespace?: string;
  readonly config: DeployConfig;
  /** absolute path of the repository root; catalog entries are relative to it */
  readonly projectRoot: string;
  readonly targets: GrantTargets;
  /** resource names behind the grants' env vars */
  readonly names: { table: string; queueUrl: (id: string) => string; dlqUrl: (id: string) => string; bucketName: (id: string) => string };
}

const PLACEHOLDER_CODE =
  "exports.handler = async () => { throw new Error('placeholder code: synthesised with -c lambdaCode=placeholder'); };";

export class CatalogFunction extends Construct {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** POWERTOOLS_SERVICE_NAME: the `service` dimension of the function's custom metrics */
  readonly serviceName: string;
  /** the Lambda function name (literal; Powertools' `function_name` dimension of ColdStart) */
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: CatalogFunctionProps) {
    super(scope, id);
    const { def, config, targets, names } = props;

    this.functionName = `${props.service}-${config.stage}-${def.id}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${this.functionName}`,
      retention: config.logRetentionDays as logs.RetentionDays,
      encryptionKey: targets.key,
      // kept with the data in every stage that may hold real tenants; a sandbox leaves nothing behind
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // No AWSLambdaBasicExecutionRole: the function writes to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${def.id}: ${def.description}`,
    });
    this.logGroup.grantWrite(this.role);

    // The stage is in the service name (= the function name): it is the `service` dimension of
    // custom metrics, so two stages in one account never feed each other's alarms.
    this.serviceName = this.functionName;
    const environment: Record<string, string> = {
      STAGE: config.stage,
      POWERTOOLS_SERVICE_NAME: this.serviceName,
      ...(props.metricsNamespace ? { POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace } : {}),
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const wildcardResources: Array<{ arn: string; reason: string }> = [];
    for (const grant of def.grants) {
      const { statements, wildcardResources: wild } = statementsFor(this, grant, targets);
      for (const s of statements) this.role.addToPolicy(s);
      wildcardResources.push(...wild);
      const envName = envNameFor(grant.resource, grant.id);
      switch (grant.resource) {
        case 'table':
          environment[envName] = names.table;
          break;
        case 'queue':
          environment[envName] = names.queueUrl(grant.id);
          if (grant.access === 'redrive') environment[envNamesOf(grant)[1]!] = names.dlqUrl(grant.id);
          break;
        case 'bucket':
          environment[envName] = names.bucketName(grant.id);
          break;
        case 'secret':
          environment[envName] = grant.prefix;
          break;
        case 'email':
          // no SES identity in this stage: the function is told e-mail is off and gets no SES permission
          environment[envName] = targets.email ? 'ses' : 'none';
          if (targets.email) {
            environment['EMAIL_FROM'] = targets.email.from;
            if (targets.email.configurationSet) environment['SES_CONFIGURATION_SET'] = targets.email.configurationSet;
          }
          break;
      }
    }
    for (const [k, v] of Object.entries(def.environment ?? {})) {
      if (k in environment) throw new Error(`function '${def.id}': catalog environment '${k}' clashes with a derived variable`);
      environment[k] = v;
    }

    const common: lambda.FunctionOptions = {
      functionName: this.functionName,
      description: def.description,
      architecture: lambda.Architecture.ARM_64,
      memorySize: def.memoryMb,
      timeout: Duration.seconds(def.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // X-Ray off: the functions do not instrument their SDK clients or HTTP calls, so active
      // tracing would bill for traces holding one opaque segment (HTTP APIs have no X-Ray at all).
      tracing: lambda.Tracing.DISABLED,
      environment,
      // No reserved concurrency: it is carved out of the account's regional pool (1000 by
      // default, often 10 on new accounts, where reserving fails outright) and caps the API
      // for everyone. The API is bounded by its stage throttling and queue consumers by the
      // event sources' maximumConcurrency, which is where downstream protection belongs.
    };

    this.fn =
      config.lambdaCode === 'placeholder'
        ? new lambda.Function(this, 'Function', {
            ...common,
            runtime: lambda.Runtime.NODEJS_22_X,
            handler: 'index.handler',
            code: lambda.Code.fromInline(PLACEHOLDER_CODE),
          })
        : new nodejs.NodejsFunction(this, 'Function', {
            ...common,
            runtime: lambda.Runtime.NODEJS_22_X,
            entry: path.resolve(props.projectRoot, def.entry),
            handler: 'handler',
            projectRoot: props.projectRoot,
            depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
            bundling: cdkBundlingOptions(),
          });

    // Acknowledgements, as narrow as cdk-nag 3 allows: this function's role policy only.
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      const acknowledged = new Set<string>();
      for (const { arn, reason } of wildcardResources) {
        const id = `AwsSolutions-IAM5[Resource::${nagArn(this, arn)}]`;
        if (acknowledged.has(id)) continue;
        acknowledged.add(id);
        Validations.of(policy).acknowledge({ id, reason: `Granted by the catalog to '${def.id}'. ${reason}` });
      }
    }
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x on purpose: the code is tested on Node 20/22 (CONTRIBUTING: must run on Node 20 and Lambda nodejs22.x); moving to nodejs24.x is a deliberate upgrade, not a synth default.',
    });
  }
}

/**
 * How cdk-nag names a token-bearing ARN in a finding id (`arn:<AWS::Partition>:s3:::<import>/*`).
 * Resolvable at construction only because the ARN uses no automatic cross-stack reference
 * (buckets are imported by explicit export name, see StatelessStack).
 */
function nagArn(scope: Construct, arn: string): string {
  return flattenCfnReference(Stack.of(scope).resolve(arn));
}

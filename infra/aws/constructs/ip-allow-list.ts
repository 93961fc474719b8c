/**
 * An IPv4 allow list in front of an HTTP API route. HTTP APIs have no resource policy and AWS WAF
 * cannot be associated with them, so the only in-API way is a Lambda authorizer on the caller's
 * address ($context.identity.sourceIp: the TCP peer, not X-Forwarded-For). Simple responses,
 * cached per source address. Used on the node API of a stage WITHOUT mutual TLS; with mutual
 * TLS the client certificate is the control and this is not deployed.
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The authorizer's whole code (CommonJS, no dependencies), inline so no bundle is needed. It is
 * exported so the tests run this exact text. Integer arithmetic, no bitwise ops (sign issues).
 */
export const IP_ALLOW_LIST_CODE = `'use strict';
function toInt(ip) {
  if (typeof ip !== 'string') return null;
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}
function range(cidr) {
  const [ip, bits] = cidr.split('/');
  const base = toInt(ip);
  const b = Number(bits);
  if (base === null || !Number.isInteger(b) || b < 0 || b > 32) throw new Error('bad CIDR ' + cidr);
  const size = Math.pow(2, 32 - b);
  const start = Math.floor(base / size) * size;
  return { start, end: start + size };
}
const ranges = JSON.parse(process.env.ALLOWED_CIDRS || '[]').map(range);
exports.handler = async (event) => {
  const ip = event && event.requestContext && event.requestContext.http ? event.requestContext.http.sourceIp : undefined;
  const n = toInt(ip);
  const allowed = n !== null && ranges.some((r) => n >= r.start && n < r.end);
  if (!allowed) console.log(JSON.stringify({ level: 'WARN', message: 'caller address not in the node allow list', sourceIp: ip, routeKey: event && event.routeKey }));
  return { isAuthorized: allowed };
};
`;

export interface IpAllowListProps {
  readonly functionName: string;
  readonly cidrs: readonly string[];
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

export class IpAllowList extends Construct {
  readonly authorizer: authorizers.HttpLambdaAuthorizer;
  readonly fn: lambda.Function;

  constructor(scope: Construct, id: string, props: IpAllowListProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      encryptionKey: props.key,
      removalPolicy: props.logRemovalPolicy,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.functionName}: IPv4 allow list of the node API (no mutual TLS in this stage)`,
    });
    logGroup.grantWrite(role);
    this.fn = new lambda.Function(this, 'Function', {
      functionName: props.functionName,
      description: 'Allows node API calls only from the configured IPv4 CIDRs (context nodeAllowedCidrs)',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(IP_ALLOW_LIST_CODE),
      memorySize: 128,
      timeout: Duration.seconds(3),
      role,
      logGroup,
      environment: { ALLOWED_CIDRS: JSON.stringify(props.cidrs) },
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'nodejs22.x like every function of the layer (tested on Node 20/22); moving to a newer runtime is a deliberate upgrade.',
    });
    this.authorizer = new authorizers.HttpLambdaAuthorizer('NodeIpAllowList', this.fn, {
      authorizerName: 'node-ip-allow-list',
      responseTypes: [authorizers.HttpLambdaResponseType.SIMPLE],
      identitySource: ['$context.identity.sourceIp'],
      resultsCacheTtl: Duration.minutes(5),
    });
  }
}

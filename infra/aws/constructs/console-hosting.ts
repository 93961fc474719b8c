/**
 * The operator console on AWS: its files (web/console/build.ts, built at synth) in a private S3
 * bucket, served by CloudFront under /console/ through Origin Access Control, with the same
 * security headers as the local gateway (infra/local/console-static.ts), and the console API
 * (/console-api/*) routed through the same distribution to the back-office HTTP API.
 *
 * One origin for the page and its API, as on the local gateway: the CSP keeps connect-src 'self'
 * for the API (plus the Cognito origins the sign-in talks to, and the uploads bucket the page PUTs
 * a large tax list to through its presigned URL), the back-office API needs no CORS,
 * and config.json's apiBase is the same relative '/console-api' the local gateway writes (right
 * whatever host name fronts the distribution). Only /console-api/* goes to the API: the
 * distribution does not expose the tenants' back-office routes.
 *
 * Cache-Control as on the local gateway: index.html and config.json `no-cache`, the bundle and
 * the CSS `public, max-age=300`; each deployment invalidates /console/*.
 *
 * With `citizenCounterPath` (context citizenCounterUrl), the citizen's counter is served by the
 * same distribution: `/cittadino*` goes to the same HTTP API origin as `/console-api/*` (the
 * citizen-counter routes), never cached, cookies, query strings and every viewer header but Host
 * forwarded. Its pages load /console/assets/bootstrap-italia.min.css from the default behaviour,
 * on the same origin. No custom domain is configured here (CloudFront's certificate would have to
 * be in us-east-1): citizenCounterUrl, which the SPID/CIE service provider is registered with,
 * must be this distribution's https://<id>.cloudfront.net/cittadino or an alternate domain name
 * and certificate the operator configures on the distribution by hand.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DockerImage, Duration, NestedStack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { rules as nagRules } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { ConsoleConfigJson } from '../../local/console-static';
import type { OperatorSignIn } from './operator-sign-in';

/** where the console lives, in the bucket (keys) and on the distribution (paths) */
export const CONSOLE_KEY_PREFIX = 'console/';
export const CONSOLE_API_PATH = '/console-api';

/**
 * CloudFront Function (viewer request, cloudfront-js-2.0) of the counter's behavior: a path ending
 * in `/` loses its trailing slashes, so `/cittadino/` (where the counter's own redirects point,
 * `/cittadino/?uscito=1`) reaches the route `GET /cittadino`. An HTTP API route does not match
 * the same path with a trailing slash, and a route key may not end in `/` (it fails to deploy):
 * the rewrite is the only way for API Gateway to see both as one. The query string is kept.
 */
export const COUNTER_TRAILING_SLASH_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.length > 1 && uri.charAt(uri.length - 1) === '/') request.uri = uri.replace(/\\/+$/, '');
  return request;
}
`;

/**
 * CloudFront Function (viewer request, cloudfront-js-2.0) of the static behavior: `/` and
 * `/console` redirect to `/console/`, and a path ending in `/` gets its `index.html` (S3 has no
 * directory index behind OAC). Everything else goes to the bucket unchanged.
 */
export const CONSOLE_REWRITE_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/console/' }, 'cache-control': { value: 'no-cache' } } };
  }
  if (uri.charAt(uri.length - 1) === '/') request.uri = uri + 'index.html';
  return request;
}
`;

/** The console's Content-Security-Policy: the local gateway's, with the Cognito origins the sign-in calls (discovery, token). */
export function consoleCsp(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${["'self'", ...connectOrigins].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

export interface ConsoleHostingProps {
  /** `<service>-<stage>` */
  readonly prefix: string;
  /** repository root: the console is built from <projectRoot>/web/console */
  readonly projectRoot: string;
  /** the context's consoleUrl (config.json redirectUri, the app client's callback) */
  readonly consoleUrl: string;
  readonly signIn: OperatorSignIn;
  /** the back-office HTTP API, whose /console-api routes the distribution forwards */
  readonly httpApi: apigw.IHttpApi;
  /** the data key: encrypts the deployment function's log group */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** `/cittadino`: serve the citizen's counter (its routes on httpApi) under `<path>*` */
  readonly citizenCounterPath?: string;
  /**
   * Bucket origins the page talks to besides its own: the uploads bucket (the presigned PUT of a
   * tax list over the inline limit, the GET of a large result file) and the notices bucket (the GET
   * of a batch's ZIP archive): added to connect-src.
   */
  readonly bucketOrigins?: readonly string[];
}

/**
 * A nested stack of its own (like the alarms'): the stateless stack is close to CloudFormation's
 * 500-resource limit, and the hosting adds about fifteen (bucket, distribution, policies, the
 * deployments and their handler).
 */
export class ConsoleHosting extends NestedStack {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly config: ConsoleConfigJson;
  /** https://<distribution domain>/console/ */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id, { description: `${props.prefix}: the operator console on S3 behind CloudFront` });

    this.bucket = new s3.Bucket(this, 'Files', {
      // SSE-S3: OAC reads SSE-KMS objects only if the key policy trusts CloudFront, and the data
      // key (stateful stack) is not to be opened to it for public code
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // a deployment replaces the files: the previous ones stay 30 days as noncurrent versions (rollback)
      versioned: true,
      lifecycleRules: [
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "Holds only the console's build output (public code, no tenant data) and config.json (public client id and URLs); read only by this distribution through OAC (bucket policy: cloudfront.amazonaws.com with AWS:SourceArn = the distribution) and written only by the BucketDeployment. The layer's access-log bucket lives in the stateful stack, whose log-delivery bucket policy would have to name this bucket: a reference from the stateful to the stateless stack, i.e. a dependency cycle.",
    });

    const loginDomain = props.signIn.userPool.node.tryFindChild('Login') as cognito.UserPoolDomain | undefined;
    if (!loginDomain) throw new Error('ConsoleHosting: the operator sign-in has no managed login domain (OperatorSignIn adds it as "Login")');
    const connectOrigins = [`https://cognito-idp.${this.region}.${this.urlSuffix}`, loginDomain.baseUrl(), ...(props.bucketOrigins ?? [])];

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'operator console: the security headers of the local gateway (CSP, no framing, nosniff, no referrer) and HSTS',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleCsp(connectOrigins), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    const rewrite = new cloudfront.Function(this, 'Rewrite', {
      comment: '/ and /console → /console/; …/ → …/index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(CONSOLE_REWRITE_FUNCTION),
    });

    // one origin for every behavior that goes to the back-office HTTP API
    const apiOrigin = new origins.HttpOrigin(`${props.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {
      [`${CONSOLE_API_PATH}/*`]: {
        origin: apiOrigin,
        // no redirect for the API: a redirected request has already sent its bearer token in clear
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // never cached; with caching disabled AllViewerExceptHostHeader forwards Authorization too
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: headers,
      },
    };
    if (props.citizenCounterPath) {
      // Not the console's policy: its CSP (override) has form-action 'self', which would block the
      // counter's payment form, whose redirect ends at pagoPA Checkout. The counter's pages send
      // their own CSP and Referrer-Policy (shared/http/citizen-edge.ts); CloudFront adds these
      // only where the origin sent none (API Gateway's own 403/404/429/5xx answers), and always
      // HSTS, nosniff and no framing.
      const counterHeaders = new cloudfront.ResponseHeadersPolicy(this, 'CounterSecurityHeaders', {
        comment: "citizen's counter: HSTS, nosniff, no framing; the pages' own CSP and Referrer-Policy, a strict fallback elsewhere",
        securityHeadersBehavior: {
          contentSecurityPolicy: { contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", override: false },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
          referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override: false },
          strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        },
      });
      const trailingSlash = new cloudfront.Function(this, 'CounterTrailingSlash', {
        comment: `${props.citizenCounterPath}/ → ${props.citizenCounterPath} (HTTP API routes do not match a trailing slash)`,
        runtime: cloudfront.FunctionRuntime.JS_2_0,
        code: cloudfront.FunctionCode.fromInline(COUNTER_TRAILING_SLASH_FUNCTION),
      });
      additionalBehaviors[`${props.citizenCounterPath}*`] = {
        origin: apiOrigin,
        // no redirect: a redirected POST (the SAML ACS, the payment form) would lose its body
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // never cached (pages per session, cache-control no-store); the session cookie, the query
        // string (SAML RelayState, Checkout's outcome) and the viewer's headers but Host go through
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: counterHeaders,
        functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: trailingSlash }],
      };
    }

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.prefix}: operator console`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: rewrite }],
        compress: true,
      },
      additionalBehaviors,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    const acknowledge = (rule: string, reason: string) => Validations.of(this.distribution).acknowledge({ id: rule, reason });
    const counter = props.citizenCounterPath;
    acknowledge(
      'AwsSolutions-CFR1',
      'No geo restriction: operators of a municipality may sign in from abroad or through a VPN exit elsewhere; access is gated by the Cognito sign-in (MFA required) and the console API verifies its tokens, the static files are public code.' +
        (counter
          ? ` The citizen's counter (${counter}*) serves citizens wherever they are (Italians resident abroad pay their municipality too); its pages need a SPID/CIE session the function opens from a verified SAML assertion.`
          : ''),
    );
    acknowledge(
      'AwsSolutions-CFR2',
      counter
        ? `No AWS WAF: a web ACL for CloudFront (scope CLOUDFRONT) can only be created in us-east-1 and this stack is regional (eu-south-1 by default). The dynamic paths are /console-api/*, which requires a Cognito bearer token, and the citizen's counter ${counter}*, whose pages need a SPID/CIE session (sign-in and SP metadata public by the SAML protocol, every POST with the session's form token); both are throttled per route by the HTTP API stage (the counter's routes, which take no API key, at a fifth of the stage rate). The rest is static public code.`
        : 'No AWS WAF: a web ACL for CloudFront (scope CLOUDFRONT) can only be created in us-east-1 and this stack is regional (eu-south-1 by default). The only dynamic path is /console-api/*, which requires a Cognito bearer token and is throttled per route by the HTTP API stage; the rest is static public code.',
    );
    acknowledge(
      'AwsSolutions-CFR3',
      `No CloudFront access logs: standard logs (legacy) need an ACL-enabled bucket (every bucket of the layer keeps ACLs disabled, BucketOwnerEnforced) and CloudFront does not deliver them to buckets in opt-in regions such as eu-south-1 (Milan), the layer's default; log delivery v2 for CloudFront is configured in us-east-1 only. Every console API call${counter ? ` and every request of the citizen's counter (${counter}*)` : ''} is logged by the HTTP API's access log (/aws/apigateway/<service>-<stage>-api); the rest are downloads of public static files.`,
    );
    acknowledge(
      'AwsSolutions-CFR4',
      'The distribution answers on its default *.cloudfront.net certificate, whose security policy CloudFront fixes (a minimum protocol version applies only to a custom certificate): the stacks configure no console domain nor its ACM certificate, which CloudFront requires in us-east-1. Viewers are redirected to HTTPS and HSTS is sent; the origins are reached over TLS 1.2 only (OAC to S3, TLSv1.2 to the HTTP API).',
    );

    this.url = `https://${this.distribution.distributionDomainName}/console/`;
    this.config = {
      issuer: props.signIn.issuer,
      clientId: props.signIn.client.userPoolClientId,
      scope: 'openid profile email',
      apiBase: CONSOLE_API_PATH,
      redirectUri: props.consoleUrl,
      logoutUrl: props.signIn.logoutUrl,
    };

    // The built console (synth time, web/console/build.ts) as an asset; the config next to it.
    const build = s3deploy.Source.asset(join(props.projectRoot, 'web', 'console'), {
      bundling: {
        // never used: the local build either succeeds or throws (no Docker fallback)
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
        local: { tryBundle: (outputDir) => buildConsoleInto(props.projectRoot, outputDir) },
      },
    });
    const config = s3deploy.Source.jsonData('config.json', this.config);

    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: props.logRetention,
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
    });
    const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      sources: [build],
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_KEY_PREFIX,
      // the pages (next deployment) are neither uploaded nor pruned by this one
      exclude: ['index.html', 'config.json'],
      cacheControl: [s3deploy.CacheControl.setPublic(), s3deploy.CacheControl.maxAge(Duration.minutes(5))],
      logGroup,
    });
    const pages = new s3deploy.BucketDeployment(this, 'DeployPages', {
      sources: [build, config],
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_KEY_PREFIX,
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      cacheControl: [s3deploy.CacheControl.noCache()],
      // after the assets: the invalidation then covers a complete new version
      distribution: this.distribution,
      distributionPaths: ['/console/*'],
      logGroup,
    });
    pages.node.addDependency(assets);
    this.acknowledgeDeploymentHandler(assets);
  }

  /**
   * cdk-nag on the BucketDeployment's singleton handler (aws-s3-deployment's own code and grants,
   * shared by both deployments). Its IAM5 findings are acknowledged one by one, and only those of
   * the grants named below: any other wildcard that policy ever gets stays a finding.
   */
  private acknowledgeDeploymentHandler(deployment: s3deploy.BucketDeployment): void {
    const role = deployment.handlerRole;
    const handler = role.node.scope!;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "The BucketDeployment handler (aws-s3-deployment's custom resource) writes its logs with the AWS-managed basic execution policy, its only managed policy.",
    });
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "The BucketDeployment handler's runtime (Python, with the AWS CLI layer) is chosen by aws-cdk-lib and moves with its upgrades; it runs only while a deployment syncs the console's files.",
    });
    const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as iam.CfnPolicy | undefined;
    if (!policy) throw new Error('ConsoleHosting: the BucketDeployment handler role has no DefaultPolicy');
    const bucketArn = `<${this.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>`;
    const expected: Array<[RegExp, string]> = [
      [
        /^Action::s3:(GetBucket|GetObject|List|Abort|DeleteObject)\*$/,
        "aws-s3-deployment's grants: read of the CDK asset objects (GetBucket*/GetObject*/List*) and read-write of the console bucket (plus Abort*/DeleteObject*): the handler syncs the console/ prefix and prunes what the new build no longer has.",
      ],
      [
        /^Resource::arn:[^:]+:s3:::cdk-[a-z0-9]+-assets-[^/]+\/\*$/,
        "The CDK bootstrap asset bucket's objects: the handler downloads the console's asset zips (their keys are content hashes, unknown to the policy).",
      ],
      [new RegExp(`^${escapeRegExp(`Resource::${bucketArn}/*`)}$`), "The console bucket's objects: the handler writes and prunes every key under console/."],
      [
        /^Resource::\*$/,
        'cloudfront:CreateInvalidation and cloudfront:GetInvalidation, which aws-s3-deployment grants on * (GetInvalidation has no resource before the invalidation exists); the handler invalidates /console/* of this distribution only.',
      ],
    ];
    const findings = nagRules.iam.IAMNoWildcardPermissions(policy);
    for (const finding of Array.isArray(findings) ? findings : []) {
      const match = expected.find(([re]) => re.test(finding));
      if (match) Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: match[1] });
    }
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Local bundling of the console asset: web/console/build.ts's buildConsole() into outputDir, in a child Node process (synth is synchronous, the build is not). */
function buildConsoleInto(projectRoot: string, outputDir: string): boolean {
  const tsx = createRequire(join(projectRoot, 'package.json')).resolve('tsx');
  const script = [
    "import { mkdirSync, writeFileSync } from 'node:fs';",
    "import { dirname, join } from 'node:path';",
    'const { buildConsole } = await import(process.env.CONSOLE_BUILD_MODULE);',
    'for (const f of (await buildConsole()).values()) {',
    '  const p = join(process.env.CONSOLE_BUILD_OUT, f.path);',
    '  mkdirSync(dirname(p), { recursive: true });',
    '  writeFileSync(p, f.body);',
    '}',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(tsx).href, '--input-type=module', '-e', script], {
    cwd: projectRoot,
    env: {
      ...process.env,
      CONSOLE_BUILD_MODULE: pathToFileURL(join(projectRoot, 'web', 'console', 'build.ts')).href,
      CONSOLE_BUILD_OUT: outputDir,
    },
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`console build failed (web/console/build.ts):\n${result.stderr}`);
  return true;
}

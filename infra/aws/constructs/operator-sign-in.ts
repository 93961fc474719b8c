/**
 * The operators' sign-in on AWS: an Amazon Cognito user pool and the console's app client, the
 * counterpart of the local OpenID provider (infra/local/simulators/oidc). The console API
 * (functions/console-api) verifies the pool's access tokens with shared/http/operator-auth.ts:
 * issuer = the pool's provider URL, audience = the app client id (Cognito access tokens carry it
 * as `client_id`), keys at <issuer>/.well-known/jwks.json.
 *
 * Roles and municipalities are Cognito groups, which access tokens carry as `cognito:groups`
 * without any Lambda trigger: `admin`, `operator`, `viewer`, and one `org:<fiscal code>` group per
 * municipality an operator serves (created by an administrator when a tenant is provisioned).
 * No self sign-up (an administrator creates operators), MFA required (TOTP), a strong password
 * policy and the Plus feature plan (threat protection), as cdk-nag's AwsSolutions-COG1/2/8 ask.
 * The app client is public (no secret: it runs in a browser), authorization code flow only, PKCE
 * being enforced by the console itself (S256) and required by Cognito's managed login for
 * public clients.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export const OPERATOR_ROLE_GROUPS = ['admin', 'operator', 'viewer'] as const;

export interface OperatorSignInProps {
  /** `<service>-<stage>`, the pool's name and the managed login domain's prefix */
  readonly prefix: string;
  /** where the console is served; the app client's only callback and sign-out URL */
  readonly consoleUrl: string;
  readonly removalPolicy: RemovalPolicy;
}

export class OperatorSignIn extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  /** the `iss` of the pool's tokens */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** the managed login's sign-out (https://<prefix>.auth.<region>.amazoncognito.com/logout) */
  readonly logoutUrl: string;

  constructor(scope: Construct, id: string, props: OperatorSignInProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'Operators', {
      userPoolName: `${props.prefix}-operators`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    for (const group of OPERATOR_ROLE_GROUPS) {
      new cognito.CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: `console role ${group}`,
      });
    }
    this.client = this.userPool.addClient('Console', {
      userPoolClientName: 'municipal-console',
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.PROFILE, cognito.OAuthScope.EMAIL],
        callbackUrls: [props.consoleUrl],
        logoutUrls: [props.consoleUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
    });
    const domain = this.userPool.addDomain('Login', { cognitoDomain: { domainPrefix: props.prefix }, managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN });
    // Cognito publishes no end_session_endpoint: its managed login ends a session at /logout (client_id, logout_uri)
    this.logoutUrl = `${domain.baseUrl()}/logout`;
    this.issuer = this.userPool.userPoolProviderUrl;
    this.jwksUrl = `${this.userPool.userPoolProviderUrl}/.well-known/jwks.json`;
  }
}

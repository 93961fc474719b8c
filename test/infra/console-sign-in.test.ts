/**
 * The operators' sign-in on AWS (infra/aws/constructs/operator-sign-in.ts), synthesized from the
 * real catalog with `-c consoleUrl=…`: a Cognito user pool without self sign-up, MFA required,
 * the Plus plan, the role groups, a public app client for the code flow whose only callback is
 * the console, the console API pointed at the pool; cdk-nag clean. And the context is checked.
 */
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../infra/catalog';
import { readDeployConfig } from '../../infra/aws/config';
import { PROD_CONTEXT, SANDBOX_CONTEXT, functionEnv, nagFindings, synth, type Synth } from './helpers';

const CONSOLE_URL = 'https://console.comune.example.it/console/';
let s: Synth;

beforeAll(() => {
  s = synth(catalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT, consoleUrl: CONSOLE_URL });
});

describe('operator sign-in (Cognito)', () => {
  it('a user pool for operators: admin-created users only, MFA required, strong passwords, Plus plan, retained in prod', () => {
    s.statelessTemplate.resourceCountIs('AWS::Cognito::UserPool', 1);
    s.statelessTemplate.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        DeletionProtection: 'ACTIVE',
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireUppercase: true, RequireNumbers: true }) },
      }),
    });
    const groups = Object.values(s.statelessTemplate.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['admin', 'operator', 'viewer']);
  });

  it('a public app client, authorization code flow only, calling back to the console alone', () => {
    s.statelessTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: [CONSOLE_URL],
      LogoutURLs: [CONSOLE_URL],
      PreventUserExistenceErrors: 'ENABLED',
      SupportedIdentityProviders: ['COGNITO'],
    });
  });

  it('points the console API at the pool (issuer, audience = client id, JWKS)', () => {
    const env = functionEnv(s.statelessTemplate, `${catalog.service}-prod-console-api`);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['CONSOLE_OIDC_ISSUER', 'CONSOLE_OIDC_AUDIENCE', 'CONSOLE_OIDC_JWKS_URL']));
    expect(JSON.stringify(env['CONSOLE_OIDC_AUDIENCE'])).toContain('Ref');
    expect(JSON.stringify(env['CONSOLE_OIDC_JWKS_URL'])).toContain('/.well-known/jwks.json');
  });

  it('passes cdk-nag with no unacknowledged finding', () => {
    expect(nagFindings(s.stateless)).toEqual([]);
  });

  it("checks the context: https …/console/ (localhost only in a sandbox)", () => {
    const config = (context: Record<string, string>) => readDeployConfig(new App({ context }).node);
    expect(config({ ...SANDBOX_CONTEXT, consoleUrl: 'http://localhost:5173/console/' }).consoleUrl).toBe('http://localhost:5173/console/');
    expect(() => config({ ...PROD_CONTEXT, consoleUrl: 'http://localhost:5173/console/' })).toThrow(/consoleUrl/);
    expect(() => config({ ...PROD_CONTEXT, consoleUrl: 'https://console.comune.example.it/' })).toThrow(/consoleUrl/);
    expect(config({ ...PROD_CONTEXT }).consoleUrl).toBeUndefined();
  });
});

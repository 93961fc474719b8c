/**
 * The grants on services outside the catalog: Secrets Manager by name prefix and SES e-mail,
 * as exact IAM statements and environment, with and without an SES identity, plus the contract
 * with the adapters that read those variables (shared/adapters/{secrets,email}.ts). The real
 * io-sender's grants: real-catalog.test.ts.
 */
import { App, Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDeployConfig } from '../../infra/aws/config';
import { emailTransportFromEnv } from '../../shared/adapters/email';
import { fixtureCatalog, fixtureFunctions } from '../fixtures/cdk/catalog';
import { acknowledgements, functionEnv, nagFindings, PROD_CONTEXT, roleActions, statementsWith, synth, type Synth } from './helpers';

const messenger = fixtureFunctions.messenger.id;
const secretArn = (stack: Stack, prefix: string) =>
  stack.resolve(`arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${prefix}*`);
const sesArn = (stack: Stack, resource: string) =>
  stack.resolve(`arn:${stack.partition}:ses:${stack.region}:${stack.account}:${resource}`);

let noEmail: Synth;
let withEmail: Synth;
let withCmk: Synth;
beforeAll(() => {
  noEmail = synth(fixtureCatalog, { lambdaCode: 'placeholder' });
  withEmail = synth(fixtureCatalog, {
    lambdaCode: 'placeholder',
    ...PROD_CONTEXT,
    sesIdentity: 'comune.example.it',
    sesConfigurationSet: 'pagopa-layer-prod',
  });
  // also an address identity without a configuration set (one synth for both)
  withCmk = synth(fixtureCatalog, {
    lambdaCode: 'placeholder',
    secretsKmsKeyArn: 'arn:aws:kms:eu-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    sesIdentity: 'avvisi@comune.example.it',
  });
});

describe('secret grant', () => {
  it('is exactly GetSecretValue on secret:<prefix>*, and nothing else of Secrets Manager', () => {
    const t = noEmail.statelessTemplate;
    const statements = statementsWith(t, messenger, 'secretsmanager:GetSecretValue');
    expect(statements).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: secretArn(noEmail.stateless, 'fixture-layer/partners/') },
    ]);
    const secretActions = [...roleActions(t, messenger)].filter((a) => a.startsWith('secretsmanager:'));
    expect(secretActions).toEqual(['secretsmanager:GetSecretValue']);
    // no grant, no secret access
    expect([...roleActions(t, fixtureFunctions.renderer.id)].some((a) => a.startsWith('secretsmanager:'))).toBe(false);
  });

  it('tells the function its prefix in <ID>_SECRET_PREFIX', () => {
    expect(functionEnv(noEmail.statelessTemplate, `fixture-layer-dev-${messenger}`)['PARTNER_KEYS_SECRET_PREFIX']).toBe(
      'fixture-layer/partners/',
    );
  });

  it('needs no kms statement with the AWS-managed key, and decrypts only through Secrets Manager with a CMK', () => {
    // without a CMK the only kms:Decrypt is the one of the consumed queue, on the layer's key
    const plain = statementsWith(noEmail.statelessTemplate, messenger, 'kms:Decrypt');
    expect(plain).toHaveLength(1);
    expect(JSON.stringify(plain[0]!.Resource)).toContain('DataKey');
    const cmk = statementsWith(withCmk.statelessTemplate, messenger, 'kms:Decrypt').filter(
      (s) => s.Resource === 'arn:aws:kms:eu-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    expect(cmk).toEqual([
      {
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: 'arn:aws:kms:eu-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-south-1.amazonaws.com' } },
      },
    ]);
  });

  it('acknowledges IAM5 for that one prefix only, saying why', () => {
    const cf = noEmail.stateless.functions.get(messenger)!;
    const acks = acknowledgements(cf.role.node.findChild('DefaultPolicy'));
    const iam5 = Object.keys(acks).filter((id) => id.includes('AwsSolutions-IAM5'));
    // the secret prefix only: X-Ray is off, so no statement on '*' to acknowledge
    expect(iam5).toHaveLength(1);
    expect(iam5.some((id) => id.endsWith('[Resource::*]'))).toBe(false);
    const secretAck = iam5.find((id) => id.includes('secretsmanager'))!;
    expect(secretAck).toMatch(/:secret:fixture-layer\/partners\/\*\]$/);
    expect(acks[secretAck]).toMatch(/GetSecretValue.*fixture-layer\/partners\/<organization>\/<serviceId>.*random 6-character suffix/);
    expect(nagFindings(noEmail.app)).toEqual([]);
  });
});

describe('email grant', () => {
  it('without sesIdentity: EMAIL_TRANSPORT=none, no EMAIL_FROM, no SES permission at all', () => {
    const env = functionEnv(noEmail.statelessTemplate, `fixture-layer-dev-${messenger}`);
    expect(env['EMAIL_TRANSPORT']).toBe('none');
    expect(env).not.toHaveProperty('EMAIL_FROM');
    expect(env).not.toHaveProperty('SES_CONFIGURATION_SET');
    expect([...roleActions(noEmail.statelessTemplate, messenger)].filter((a) => a.startsWith('ses:'))).toEqual([]);
    expect(emailTransportFromEnv(env as Record<string, string>)).toBe('none');
  });

  it('with sesIdentity: SendEmail/SendRawEmail on the identity and the configuration set, from EMAIL_FROM only', () => {
    const t = withEmail.statelessTemplate;
    const s = withEmail.stateless;
    expect(statementsWith(t, messenger, 'ses:SendEmail')).toEqual([
      {
        Action: ['ses:SendEmail', 'ses:SendRawEmail'],
        Effect: 'Allow',
        // (@aws-cdk/aws-iam:minimizePolicies sorts the resources)
        Resource: [sesArn(s, 'configuration-set/pagopa-layer-prod'), sesArn(s, 'identity/comune.example.it')],
        Condition: { StringEquals: { 'ses:FromAddress': 'avvisi@comune.example.it' } },
      },
    ]);
    expect([...roleActions(t, messenger)].filter((a) => a.startsWith('ses:')).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    const env = functionEnv(t, `fixture-layer-prod-${messenger}`);
    expect(env).toMatchObject({
      EMAIL_TRANSPORT: 'ses',
      EMAIL_FROM: 'avvisi@comune.example.it',
      SES_CONFIGURATION_SET: 'pagopa-layer-prod',
    });
    expect(emailTransportFromEnv(env as Record<string, string>)).toBe('ses');
    // only the function with the grant may send
    expect([...roleActions(t, fixtureFunctions.renderer.id)].some((a) => a.startsWith('ses:'))).toBe(false);
    expect(nagFindings(withEmail.app)).toEqual([]);
  });

  it('no configuration set: the identity only', () => {
    const s = withCmk;
    const [statement] = statementsWith(s.statelessTemplate, messenger, 'ses:SendEmail');
    expect(statement!.Resource).toEqual(sesArn(s.stateless, 'identity/avvisi@comune.example.it'));
    expect(functionEnv(s.statelessTemplate, `fixture-layer-dev-${messenger}`)['EMAIL_FROM']).toBe('avvisi@comune.example.it');
  });
});

describe('e-mail and secret context', () => {
  const cfg = (context: Record<string, unknown>) => readDeployConfig(new App({ context }).node);

  it('derives or checks the From address against the identity', () => {
    expect(cfg({ sesIdentity: 'comune.example.it' }).email).toEqual({ identity: 'comune.example.it', from: 'avvisi@comune.example.it' });
    expect(cfg({ sesIdentity: 'comune.example.it', emailFrom: 'tributi@pagamenti.comune.example.it' }).email?.from).toBe(
      'tributi@pagamenti.comune.example.it',
    );
    expect(() => cfg({ sesIdentity: 'comune.example.it', emailFrom: 'x@altro.example.it' })).toThrow(/not covered/);
    expect(() => cfg({ sesIdentity: 'a@comune.example.it', emailFrom: 'b@comune.example.it' })).toThrow(/not covered/);
    expect(() => cfg({ emailFrom: 'a@comune.example.it' })).toThrow(/need 'sesIdentity'/);
    expect(() => cfg({ sesIdentity: 'not a domain' })).toThrow(/sesIdentity/);
    expect(() => cfg({ secretsKmsKeyArn: 'alias/foo' })).toThrow(/secretsKmsKeyArn/);
  });

  it('EMAIL_TRANSPORT is read strictly, and defaults as before it existed', () => {
    expect(emailTransportFromEnv({})).toBe('ses');
    expect(emailTransportFromEnv({ LOCAL_CLOUD: 'true' })).toBe('file');
    expect(() => emailTransportFromEnv({ EMAIL_TRANSPORT: 'smtp' })).toThrow(/EMAIL_TRANSPORT/);
  });
});

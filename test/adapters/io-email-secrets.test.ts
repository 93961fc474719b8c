import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { listOutbox } from '../../infra/local/email-outbox';
import { FileEmailSender, SesEmailSender, composeEmail } from '../../shared/adapters/email';
import { SecretsManagerSource, apiKeyFromSecret } from '../../shared/adapters/secrets';

const pdf = new TextEncoder().encode('%PDF-1.4 test');
const message = { to: 'mario@example.org', subject: 'Nuovo avviso di pagamento – TARI', text: 'Importo: 120,50 €', attachments: [{ fileName: 'avviso TARI.pdf', contentType: 'application/pdf', bytes: pdf }] };
const date = new Date('2027-01-01T08:30:00Z');
const fixed = { clock: () => date, newId: () => '2b1e6a52-3f0c-4b8e-9d7a-5c4f3e2d1a00' };

describe('e-mail', () => {
  it('sends the composed message through SES v2 as Content.Raw: the same bytes composeEmail writes', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const sender = new SesEmailSender(new SESv2Client({ region: 'eu-south-1' }), { name: 'Comune di Sant’Agata – Tributi', address: 'avvisi@comune.example.it' }, 'avvisi-set', fixed);
    expect(await sender.send(message)).toBe('ses-1');
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    const expected = await composeEmail(
      { ...message, from: { name: 'Comune di Sant’Agata – Tributi', address: 'avvisi@comune.example.it' }, to: { address: 'mario@example.org' } },
      { date, messageId: '2b1e6a52-3f0c-4b8e-9d7a-5c4f3e2d1a00@pagopa-layer' },
    );
    expect(Buffer.from(input.Content!.Raw!.Data!).equals(expected)).toBe(true);
    expect(input.Content?.Simple).toBeUndefined();
    expect(input.FromEmailAddress).toBe('avvisi@comune.example.it');
    expect(input.Destination).toEqual({ ToAddresses: ['mario@example.org'] });
    expect(input.ConfigurationSetName).toBe('avvisi-set');
    const parsed = await simpleParser(Buffer.from(input.Content!.Raw!.Data!));
    expect(parsed.messageId).toBe('<2b1e6a52-3f0c-4b8e-9d7a-5c4f3e2d1a00@pagopa-layer>');
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.attachments.map((a) => [a.filename, Buffer.from(a.content).equals(Buffer.from(pdf))])).toEqual([['avviso TARI.pdf', true]]);
  });
  it('refuses a recipient that is not one address (no header or recipient can be injected), before calling SES', async () => {
    const ses = mockClient(SESv2Client);
    const sender = new SesEmailSender(new SESv2Client({ region: 'eu-south-1' }), 'avvisi@comune.example.it');
    await expect(sender.send({ ...message, to: 'x@y.it\r\nBcc: evil@z.it' })).rejects.toThrow(/recipient/);
    await expect(sender.send({ ...message, to: 'x@y.it, evil@z.it' })).rejects.toThrow(/recipient/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
  it('an SES failure reaches the caller (the use case retries it)', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    await expect(new SesEmailSender(new SESv2Client({ region: 'eu-south-1' }), 'avvisi@comune.example.it').send(message)).rejects.toThrow('slow down');
  });
  it('locally writes the same bytes as an .eml file, which the outbox lists decoded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const file = await new FileEmailSender(dir, 'avvisi@comune.example.it', fixed).send(message);
    expect(readdirSync(dir)).toEqual([file]);
    expect(file).toBe('2027-01-01T08-30-00-000Z-2b1e6a52-3f0c-4b8e-9d7a-5c4f3e2d1a00.eml');
    const expected = await composeEmail({ ...message, from: { address: 'avvisi@comune.example.it' }, to: { address: 'mario@example.org' } }, { date, messageId: '2b1e6a52-3f0c-4b8e-9d7a-5c4f3e2d1a00@local' });
    expect(readFileSync(join(dir, file)).equals(expected)).toBe(true);
    expect(await listOutbox(dir)).toEqual([{ file, to: 'mario@example.org', subject: message.subject, date: '2027-01-01T08:30:00.000Z', attachments: 1 }]);
  });
});

describe('IO keys from Secrets Manager', () => {
  it('reads a plain or JSON secret once per TTL, and does not cache failures', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { SecretId: 'plain' }).resolves({ SecretString: 'key-plain-0123456789' });
    sm.on(GetSecretValueCommand, { SecretId: 'json' }).resolves({ SecretString: '{"apiKey":"key-json-0123456789"}' });
    sm.on(GetSecretValueCommand, { SecretId: 'missing' }).rejects(Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' }));
    let now = 0;
    const source = new SecretsManagerSource(new SecretsManagerClient({ region: 'eu-south-1' }), { ttlMs: 1000, now: () => now });
    expect(await source.get('plain')).toBe('key-plain-0123456789');
    expect(await source.get('plain')).toBe('key-plain-0123456789');
    expect(await source.get('json')).toBe('key-json-0123456789');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    now = 2000;
    await source.get('plain');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
    await expect(source.get('missing')).rejects.toThrow();
    await expect(source.get('missing')).rejects.toThrow();
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: 'missing' })).toHaveLength(2);
    expect(() => apiKeyFromSecret('{"other":1}')).toThrow();
  });
});

import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { FileEmailSender, SesEmailSender, buildMimeMessage, listOutbox } from '../../shared/adapters/email';
import { SecretsManagerSource, apiKeyFromSecret } from '../../shared/adapters/secrets';

const pdf = new TextEncoder().encode('%PDF-1.4 test');
const message = { to: 'mario@example.org', subject: 'Nuovo avviso di pagamento – TARI', text: 'Importo: 120,50 €', attachments: [{ fileName: 'avviso TARI.pdf', contentType: 'application/pdf', bytes: pdf }] };

describe('e-mail', () => {
  it('builds multipart MIME with a UTF-8 subject, base64 text and the PDF attachment', () => {
    const raw = buildMimeMessage('avvisi@comune.example.it', message, { date: new Date('2027-01-01T00:00:00Z'), messageId: 'x@y', boundary: 'B' });
    expect(raw).toContain(`Subject: =?UTF-8?B?${Buffer.from(message.subject).toString('base64')}?=`);
    expect(raw).toContain('Content-Type: multipart/mixed; boundary="B"');
    expect(raw).toContain('Content-Disposition: attachment; filename="avviso_TARI.pdf"');
    expect(raw).toContain(Buffer.from(pdf).toString('base64'));
    expect(raw.endsWith('--B--\r\n')).toBe(true);
    expect(() => buildMimeMessage('a@b.it', { ...message, to: 'x@y.it\r\nBcc: evil@z.it' }, { date: new Date(), messageId: 'x', boundary: 'B' })).toThrow();
  });
  it('sends raw MIME through SES v2', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const id = await new SesEmailSender(new SESv2Client({ region: 'eu-south-1' }), 'avvisi@comune.example.it').send(message);
    expect(id).toBe('ses-1');
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input.Destination?.ToAddresses).toEqual(['mario@example.org']);
    expect(Buffer.from(input.Content!.Raw!.Data!).toString('utf8')).toContain('Content-Disposition: attachment');
  });
  it('locally writes .eml files that the outbox lists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    await new FileEmailSender(dir, 'avvisi@comune.example.it').send(message);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')).toContain('To: mario@example.org');
    expect(await listOutbox(dir)).toEqual([expect.objectContaining({ to: 'mario@example.org', subject: message.subject, attachments: 1 })]);
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

/**
 * The local outbox listing (infra/local/email-outbox.ts) decodes any RFC 2047 header: several
 * encoded-words, Q and B, folded, mixed with plain text; and serves the list and the messages.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxListener, listOutbox } from '../../../infra/local/email-outbox';
import { FileEmailSender } from '../../../shared/adapters/email';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** A message another writer could have produced: B and Q words side by side with plain text, folded. */
const handWritten = [
  `From: =?utf-8?q?Comune_di_Forl=C3=AC?= <avvisi@comune.example.it>`,
  `To: =?UTF-8?B?${b64('Niccolò')}?= Rossi <niccolo@example.org>, "Ufficio Tributi" <tributi@example.org>`,
  `Subject: Avviso =?UTF-8?Q?n=C2=B0_12_=E2=80=93?= =?UTF-8?B?${b64(' città di Forlì')}?=`,
  ` (rata unica) =?iso-8859-1?Q?pi=F9?= comodo`,
  'Date: Tue, 02 Feb 2027 10:00:00 +0100',
  'Message-ID: <hand@example>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="XX"',
  '',
  '--XX',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Testo.',
  '--XX',
  'Content-Type: application/pdf',
  'Content-Transfer-Encoding: base64',
  "Content-Disposition: attachment; filename*=utf-8''avviso%20citt%C3%A0.pdf",
  '',
  Buffer.from('%PDF-1.4').toString('base64'),
  '--XX--',
  '',
].join('\r\n');

describe('listOutbox', () => {
  it('decodes several encoded-words, Q and B, other charsets, mixed with plain text and folded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    writeFileSync(join(dir, '2027-02-02T09-00-00-000Z-hand.eml'), handWritten);
    expect(await listOutbox(dir)).toEqual([
      {
        file: '2027-02-02T09-00-00-000Z-hand.eml',
        to: 'Niccolò Rossi <niccolo@example.org>, Ufficio Tributi <tributi@example.org>',
        subject: 'Avviso n° 12 – città di Forlì (rata unica) più comodo',
        date: '2027-02-02T09:00:00.000Z',
        attachments: 1,
      },
    ]);
  });

  it('lists what FileEmailSender wrote, newest first; a missing directory is an empty outbox', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    let t = Date.parse('2027-01-01T00:00:00Z');
    const sender = new FileEmailSender(dir, { name: 'Comune di Città', address: 'avvisi@comune.example.it' }, { clock: () => new Date((t += 1000)), newId: () => `id-${t}` });
    const subject = "Novità: è già disponibile l'avviso di pagamento della TARI 2027, più comodo da pagare perché ora è pure su App IO";
    await sender.send({ to: 'a@example.org', subject, text: 'uno', attachments: [] });
    await sender.send({ to: 'b@example.org', subject: 'Secondo avviso', text: 'due', attachments: [{ fileName: 'avviso.pdf', contentType: 'application/pdf', bytes: new Uint8Array([37, 80, 68, 70, 45]) }] });
    const listed = await listOutbox(dir);
    expect(listed.map((e) => [e.to, e.subject, e.date, e.attachments])).toEqual([
      ['b@example.org', 'Secondo avviso', '2027-01-01T00:00:02.000Z', 1],
      ['a@example.org', subject, '2027-01-01T00:00:01.000Z', 0],
    ]);
    expect(await listOutbox(join(dir, 'missing'))).toEqual([]);
  });
});

describe('createOutboxListener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  let server: Server;
  let base: string;
  beforeAll(async () => {
    writeFileSync(join(dir, '2027-02-02T09-00-00-000Z-hand.eml'), handWritten);
    server = createServer(createOutboxListener(dir));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('GET / lists the messages as JSON, ?format=html as a page with the decoded subject escaped', async () => {
    const json = await fetch(`${base}/`).then((r) => r.json() as Promise<{ messages: Array<{ subject: string }> }>);
    expect(json.messages.map((m) => m.subject)).toEqual(['Avviso n° 12 – città di Forlì (rata unica) più comodo']);
    const page = await fetch(`${base}/?format=html`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('Avviso n° 12 – città di Forlì (rata unica) più comodo');
    expect(html).toContain('Niccolò Rossi &#60;niccolo@example.org&#62;');
  });

  it('GET /<file>.eml serves the message as message/rfc822; anything else is 404 or 405', async () => {
    const one = await fetch(`${base}/2027-02-02T09-00-00-000Z-hand.eml`);
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toBe('message/rfc822');
    expect(Buffer.from(await one.arrayBuffer()).toString('utf8')).toBe(handWritten);
    expect((await fetch(`${base}/nope.eml`)).status).toBe(404);
    expect((await fetch(`${base}/..%2Fsecret.eml`)).status).toBe(404);
    expect((await fetch(`${base}/%E0%A4%A.eml`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });
});

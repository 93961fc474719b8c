/**
 * E-mail, the fallback channel when App IO is not possible: a raw MIME message (text in UTF-8,
 * attachments in base64) sent with SES v2 SendEmail (Content.Raw) on AWS, or written as an .eml
 * file under the local outbox directory, where a person can open it (GET /_sim/mail lists them).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailMessage, EmailSender } from '../use-cases/citizen-messages';

/** RFC 2047 encoded-word for a header with non-ASCII text. */
function encodeHeader(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(oneLine)) return oneLine;
  return `=?UTF-8?B?${Buffer.from(oneLine, 'utf8').toString('base64')}?=`;
}

function base64Lines(bytes: Uint8Array): string {
  return (Buffer.from(bytes).toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'attachment';
}

export function isEmailAddress(value: string): boolean {
  return /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+\.[A-Za-z]{2,}$/.test(value);
}

/** The whole message as CRLF MIME text (multipart/mixed when there are attachments). */
export function buildMimeMessage(from: string, message: EmailMessage, options: { date: Date; messageId: string; boundary: string }): string {
  if (!isEmailAddress(message.to)) throw new Error('the recipient is not an e-mail address');
  if (!isEmailAddress(from)) throw new Error('the sender is not an e-mail address');
  const headers = [
    `From: ${from}`,
    `To: ${message.to}`,
    `Subject: ${encodeHeader(message.subject)}`,
    `Date: ${options.date.toUTCString()}`,
    `Message-ID: <${options.messageId}>`,
    'MIME-Version: 1.0',
  ];
  const textPart = ['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(message.text, 'utf8'))];
  if (message.attachments.length === 0) return [...headers, ...textPart, ''].join('\r\n');
  const b = options.boundary;
  const parts = [
    ...headers,
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    ...textPart,
  ];
  for (const a of message.attachments) {
    const name = safeFileName(a.fileName);
    parts.push(
      `--${b}`,
      `Content-Type: ${a.contentType}; name="${name}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${name}"`,
      '',
      base64Lines(a.bytes),
    );
  }
  parts.push(`--${b}--`, '');
  return parts.join('\r\n');
}

export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: Pick<SESv2Client, 'send'>,
    private readonly from: string,
    private readonly configurationSetName?: string,
  ) {}

  async send(message: EmailMessage): Promise<string> {
    const id = randomUUID();
    const raw = buildMimeMessage(this.from, message, { date: new Date(), messageId: `${id}@pagopa-layer`, boundary: `b-${id}` });
    const result = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [message.to] },
        Content: { Raw: { Data: Buffer.from(raw, 'utf8') } },
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
      }),
    );
    return result.MessageId ?? id;
  }
}

/** Local: each message becomes `<dir>/<timestamp>-<id>.eml`. */
export class FileEmailSender implements EmailSender {
  constructor(
    private readonly dir: string,
    private readonly from: string,
  ) {}

  async send(message: EmailMessage): Promise<string> {
    const id = randomUUID();
    const date = new Date();
    const raw = buildMimeMessage(this.from, message, { date, messageId: `${id}@local`, boundary: `b-${id}` });
    await mkdir(this.dir, { recursive: true });
    const file = `${date.toISOString().replace(/[:.]/g, '-')}-${id}.eml`;
    await writeFile(join(this.dir, file), raw, { mode: 0o600 });
    return file;
  }
}

export interface OutboxEntry {
  readonly file: string;
  readonly to: string;
  readonly subject: string;
  readonly date: string;
  readonly attachments: number;
}

/** The .eml files of the local outbox, newest first, with their headers decoded. */
export async function listOutbox(dir: string): Promise<OutboxEntry[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  const entries = await Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(dir, file), 'utf8');
      const head = text.split('\r\n\r\n', 1)[0] ?? '';
      const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1]?.trim() ?? '';
      return {
        file,
        to: header('To'),
        subject: decodeHeader(header('Subject')),
        date: header('Date'),
        attachments: (text.match(/^Content-Disposition: attachment/gim) ?? []).length,
      };
    }),
  );
  return entries.sort((a, b) => b.file.localeCompare(a.file));
}

function decodeHeader(value: string): string {
  const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/i.exec(value);
  return m ? Buffer.from(m[1] ?? '', 'base64').toString('utf8') : value;
}

/**
 * The local outbox over HTTP (mounted at /_sim/mail): `GET /` the list as JSON (`?format=html`
 * a page), `GET /<file>.eml` one message as message/rfc822 (a mail client opens it as is).
 */
export function createOutboxListener(dir: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const html = /(^|&)format=html(&|$)/.test(new URL(req.url ?? '/', 'http://local').search.slice(1));
    const done = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }).end(body);
    };
    if (req.method !== 'GET') return done(405, 'text/plain', 'GET only');
    if (path === '/' || path === '') {
      listOutbox(dir).then(
        (entries) => {
          if (!html) return done(200, 'application/json', JSON.stringify({ directory: dir, messages: entries }));
          const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
          const rows = entries.map((e) => `<tr><td>${esc(e.date)}</td><td>${esc(e.to)}</td><td><a href="./${encodeURIComponent(e.file)}">${esc(e.subject)}</a></td><td>${e.attachments}</td></tr>`);
          done(200, 'text/html; charset=utf-8', `<!doctype html><meta charset="utf-8"><title>Local outbox</title><h1>Local outbox</h1><table><tr><th>Date</th><th>To</th><th>Subject</th><th>Attachments</th></tr>${rows.join('')}</table>`);
        },
        () => done(500, 'text/plain', 'cannot read the outbox'),
      );
      return;
    }
    const file = decodeURIComponent(path.slice(1));
    if (!/^[A-Za-z0-9._-]+\.eml$/.test(file)) return done(404, 'text/plain', 'no such message');
    readFile(join(dir, file)).then(
      (bytes) => done(200, 'message/rfc822', bytes),
      () => done(404, 'text/plain', 'no such message'),
    );
  };
}

export type EmailTransport = 'ses' | 'file' | 'none';

/**
 * Which e-mail transport a function may use. On AWS `EMAIL_TRANSPORT` is set by infra/aws from
 * the catalog's email grant: 'ses' when the stage names an SES identity (the function may send from
 * EMAIL_FROM only), 'none' when it does not (no SES permission: the caller must then leave the
 * EmailSender out, so the fallback is recorded as skipped instead of retried into the DLQ).
 * Unset: 'file' on the local cloud (LOCAL_CLOUD=true), else 'ses' (as before the variable existed).
 */
export function emailTransportFromEnv(env: Readonly<Record<string, string | undefined>>): EmailTransport {
  const value = env['EMAIL_TRANSPORT'];
  if (value === undefined || value === '') return env['LOCAL_CLOUD'] === 'true' ? 'file' : 'ses';
  if (value === 'ses' || value === 'file' || value === 'none') return value;
  throw new Error(`EMAIL_TRANSPORT must be 'ses', 'file' or 'none', got '${value}'`);
}

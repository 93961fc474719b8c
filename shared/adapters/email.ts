/**
 * E-mail, the fallback channel when App IO is not possible. The message is composed ONCE, by
 * nodemailer's MailComposer (a maintained RFC 5322 / MIME writer), into raw bytes; the same bytes
 * are sent with SES v2 SendEmail (Content.Raw) on AWS and written as an .eml file under the local
 * outbox directory, where a person can open it (infra/local/email-outbox.ts lists them at
 * GET /_sim/mail). SES Content.Simple (+ attachments) would have let SES compose the message on
 * AWS, but then the local .eml would come from another writer than the e-mail a citizen gets:
 * with one composer for both paths, what the local outbox and the tests show is what SES sends.
 *
 * What MailComposer guarantees and test/unit/email checks: non-ASCII header text (subject, the
 * display names in From/To) as RFC 2047 encoded-words of at most 75 characters, each holding
 * whole UTF-8 characters; header lines folded at 76 characters; the attachment's filename as an
 * RFC 2231 parameter (percent-encoded UTF-8, continued over several lines) when it is not ASCII;
 * Date, Message-ID and MIME-Version; CRLF line ends. MailComposer also writes the Content-Type
 * `name=` parameter that older clients read, as encoded-words in quotes: the de facto form (RFC
 * 2047 §5 does not provide for it), while clients that follow the RFCs read `filename*`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { EmailMessage, EmailSender } from '../use-cases/app-io/ports';

/** An address with an optional display name (`Comune di Città <avvisi@…>`); the name may be any Unicode text. */
export interface Mailbox {
  readonly address: string;
  readonly name?: string;
}

/** What `composeEmail` writes: the use case's message with mailboxes instead of bare addresses. */
export interface EmailContent {
  readonly from: Mailbox;
  readonly to: Mailbox;
  readonly subject: string;
  readonly text: string;
  readonly attachments: EmailMessage['attachments'];
}

export function isEmailAddress(value: string): boolean {
  return /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+\.[A-Za-z]{2,}$/.test(value);
}

function mailbox(value: string | Mailbox): Mailbox {
  return typeof value === 'string' ? { address: value } : value;
}

/** Header text is one line: line breaks and other control characters become spaces. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}

/** The attachment's name as the citizen sees it, accents kept; no path separators, no control characters. */
function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = Array.from(name.replace(/[\x00-\x1f\x7f/\\]+/g, '_').trim()).slice(0, 100).join('');
  return cleaned.replace(/^\.+/, '') || 'attachment';
}

/**
 * The whole message as raw RFC 5322 bytes (multipart/mixed when there are attachments). The
 * addresses are checked here, so nothing a caller passes can add a header or a recipient;
 * `messageId` (without angle brackets) also seeds the multipart boundary, so one id and one date
 * always give the same bytes.
 */
export async function composeEmail(content: EmailContent, options: { readonly date: Date; readonly messageId: string }): Promise<Buffer> {
  if (!isEmailAddress(content.to.address)) throw new Error('the recipient is not an e-mail address');
  if (!isEmailAddress(content.from.address)) throw new Error('the sender is not an e-mail address');
  // an empty name writes the bare address
  const address = (m: Mailbox) => ({ name: oneLine(m.name ?? ''), address: m.address });
  const composer = new MailComposer({
    from: address(content.from),
    to: address(content.to),
    subject: oneLine(content.subject),
    date: options.date,
    messageId: `<${options.messageId}>`,
    text: { content: content.text, contentType: 'text/plain; charset=utf-8' },
    attachments: content.attachments.map((a) => ({
      filename: safeFileName(a.fileName),
      contentType: a.contentType,
      content: Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength),
      contentTransferEncoding: 'base64',
    })),
    // content comes only from the buffers above, never from a path or a URL
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: 'win',
    baseBoundary: createHash('sha256').update(options.messageId).digest('hex').slice(0, 24),
  });
  return composer.compile().build();
}

/** Date and id of each message; tests fix them to compare bytes. */
export interface EmailSenderOptions {
  readonly clock?: () => Date;
  readonly newId?: () => string;
}

export class SesEmailSender implements EmailSender {
  private readonly from: Mailbox;
  private readonly clock: () => Date;
  private readonly newId: () => string;

  constructor(
    private readonly ses: Pick<SESv2Client, 'send'>,
    from: string | Mailbox,
    private readonly configurationSetName?: string,
    options: EmailSenderOptions = {},
  ) {
    this.from = mailbox(from);
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  async send(message: EmailMessage): Promise<string> {
    const id = this.newId();
    const raw = await composeEmail({ ...message, from: this.from, to: { address: message.to } }, { date: this.clock(), messageId: `${id}@pagopa-layer` });
    const result = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.from.address,
        Destination: { ToAddresses: [message.to] },
        Content: { Raw: { Data: raw } },
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
      }),
    );
    return result.MessageId ?? id;
  }
}

/** Local: each message becomes `<dir>/<timestamp>-<id>.eml`, the bytes SES would have been given. */
export class FileEmailSender implements EmailSender {
  private readonly from: Mailbox;
  private readonly clock: () => Date;
  private readonly newId: () => string;

  constructor(
    private readonly dir: string,
    from: string | Mailbox,
    options: EmailSenderOptions = {},
  ) {
    this.from = mailbox(from);
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  async send(message: EmailMessage): Promise<string> {
    const id = this.newId();
    const date = this.clock();
    const raw = await composeEmail({ ...message, from: this.from, to: { address: message.to } }, { date, messageId: `${id}@local` });
    await mkdir(this.dir, { recursive: true });
    const file = `${date.toISOString().replace(/[:.]/g, '-')}-${id}.eml`;
    await writeFile(join(this.dir, file), raw, { mode: 0o600 });
    return file;
  }
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

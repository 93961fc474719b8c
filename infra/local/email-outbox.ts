/**
 * The local e-mail outbox over HTTP (mounted at /_sim/mail by io-local.ts): the .eml files the IO
 * sender's FileEmailSender (shared/adapters/email.ts) writes when App IO is not possible.
 *
 * Local-only code: the messages are read back with mailparser (an independent MIME parser, which
 * decodes any RFC 2047 header: several encoded-words, Q and B, mixed with plain text), so this
 * module stays out of the Lambda bundles; nothing under functions/ or shared/ may import it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';

export interface OutboxEntry {
  readonly file: string;
  /** decoded: `Name <address>`, or the bare address */
  readonly to: string;
  readonly subject: string;
  /** ISO-8601 UTC, from the Date header ('' when it has none) */
  readonly date: string;
  readonly attachments: number;
}

/** `Name <address>` (the name decoded, unquoted) or the bare address, comma-separated. */
function addressText(value: AddressObject | AddressObject[] | undefined): string {
  const flat = (list: EmailAddress[]): EmailAddress[] => list.flatMap((a) => (a.group ? flat(a.group) : [a]));
  return flat((Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value))
    .map((a) => (a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? '')))
    .join(', ');
}

/** One .eml file, its headers decoded. */
export async function readOutboxEntry(dir: string, file: string): Promise<OutboxEntry> {
  const mail = await simpleParser(await readFile(join(dir, file)), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  return {
    file,
    to: addressText(mail.to),
    subject: mail.subject ?? '',
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : '',
    attachments: mail.attachments.length,
  };
}

/** The .eml files of the local outbox, newest first, with their headers decoded. */
export async function listOutbox(dir: string): Promise<OutboxEntry[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  files.sort((a, b) => b.localeCompare(a));
  // a few at a time: each message is parsed whole (its PDF included)
  const entries: OutboxEntry[] = [];
  for (let i = 0; i < files.length; i += 8) {
    const read = await Promise.all(files.slice(i, i + 8).map((file) => readOutboxEntry(dir, file).catch(() => undefined)));
    // a file that went away (or cannot be read) between readdir and now is left out
    entries.push(...read.filter((e): e is OutboxEntry => e !== undefined));
  }
  return entries;
}

/**
 * The local outbox over HTTP (mounted at /_sim/mail): `GET /` the list as JSON (`?format=html`
 * a page), `GET /<file>.eml` one message as message/rfc822 (a mail client opens it as is).
 */
export function createOutboxListener(dir: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname;
    const html = url.searchParams.get('format') === 'html';
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
    let file: string;
    try {
      file = decodeURIComponent(path.slice(1));
    } catch {
      return done(404, 'text/plain', 'no such message');
    }
    if (!/^[A-Za-z0-9._-]+\.eml$/.test(file)) return done(404, 'text/plain', 'no such message');
    readFile(join(dir, file)).then(
      (bytes) => done(200, 'message/rfc822', bytes),
      () => done(404, 'text/plain', 'no such message'),
    );
  };
}

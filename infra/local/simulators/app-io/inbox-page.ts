/**
 * The simulator's inbox page: what each citizen would see in the IO app. Server-rendered HTML,
 * no script; every piece of message text goes through escapeHtml or the safe markdown renderer.
 */
import { formatEuroItalian } from '../../../../shared/domain/money';
import { formatNoticeNumberForPrint } from '../../../../shared/domain/notice-number';
import { formatDateItalian } from '../../../../shared/domain/app-io/templates';
import { escapeHtml, renderMarkdownSafe } from './markdown';
import type { SimMessage } from './simulator';

export interface InboxPageInput {
  readonly citizens: ReadonlyArray<{ fiscalCode: string; messages: readonly SimMessage[] }>;
  /** prefix the page is mounted under, e.g. '/_sim/io' */
  readonly basePath: string;
  readonly nowMs: number;
  /** one citizen's inbox (adds a link back to all) */
  readonly single?: boolean;
  readonly notFound?: boolean;
}

export function renderInboxPage(input: InboxPageInput): string {
  const home = `${input.basePath}/`;
  const sections = input.notFound
    ? '<p class="empty">Nessun cittadino con questo codice fiscale è registrato nel simulatore.</p>'
    : input.citizens.length === 0
      ? '<p class="empty">Nessun cittadino registrato.</p>'
      : input.citizens.map((c) => renderCitizen(c, input)).join('\n');
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>App IO — simulatore</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>App IO <span class="tag">simulatore</span></h1>${
    input.single || input.notFound ? `<a href="${escapeHtml(home)}">Tutti i cittadini</a>` : ''
  }</header>
<main>
${sections}
</main>
</body>
</html>`;
}

function renderCitizen(citizen: { fiscalCode: string; messages: readonly SimMessage[] }, input: InboxPageInput): string {
  const fc = escapeHtml(citizen.fiscalCode);
  const link = `${input.basePath}/inbox/${encodeURIComponent(citizen.fiscalCode)}`;
  const messages =
    citizen.messages.length === 0
      ? '<p class="empty">Nessun messaggio.</p>'
      : citizen.messages.map((m) => renderMessage(m, input.nowMs)).join('\n');
  return `<section class="citizen" data-fiscal-code="${fc}">
<h2><a href="${escapeHtml(link)}">${fc}</a> <span class="count">${citizen.messages.length} messaggi</span></h2>
${messages}
</section>`;
}

function renderMessage(m: SimMessage, nowMs: number): string {
  const payment = m.content.payment_data;
  const due = m.content.due_date;
  const expired = payment?.invalid_after_due_date === true && due !== undefined && Date.parse(due) < nowMs;
  const paymentBox = payment
    ? `<div class="payment${expired ? ' expired' : ''}">
<div class="row"><span>Importo</span><strong class="amount">${escapeHtml(formatEuroItalian(payment.amount))} €</strong></div>
<div class="row"><span>Codice avviso</span><strong class="notice-number">${escapeHtml(formatNoticeNumberForPrint(payment.notice_number))}</strong></div>
${payment.payee ? `<div class="row"><span>Ente creditore (C.F.)</span><strong class="payee">${escapeHtml(payment.payee.fiscal_code)}</strong></div>` : ''}
${due ? `<div class="row"><span>Scadenza</span><strong class="due-date">${escapeHtml(formatDateItalian(due))}</strong></div>` : ''}
${expired ? '<p class="warn">Avviso scaduto: non è più pagabile.</p>' : '<button type="button" disabled>Paga con pagoPA</button>'}
</div>`
    : due
      ? `<div class="payment"><div class="row"><span>Scadenza</span><strong class="due-date">${escapeHtml(formatDateItalian(due))}</strong></div></div>`
      : '';
  return `<article class="message" data-message-id="${escapeHtml(m.id)}">
<div class="meta"><span class="sender">${escapeHtml(m.organizationName ?? '')}${m.organizationName ? ' · ' : ''}${escapeHtml(m.senderName)}</span>
<time datetime="${escapeHtml(m.createdAt)}">${escapeHtml(formatDateItalian(m.createdAt))}</time></div>
<h3 class="subject">${escapeHtml(m.content.subject)}</h3>
<div class="body">${renderMarkdownSafe(m.content.markdown)}</div>
${paymentBox}
</article>`;
}

const CSS = `
:root { --blue: #0066cc; --ink: #17324d; --muted: #5c6f82; --line: #e3e7eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 "Titillium Web", system-ui, sans-serif; color: var(--ink); background: #f5f6f7; }
header { display: flex; align-items: baseline; justify-content: space-between; padding: 12px 24px; background: var(--blue); color: #fff; }
header h1 { margin: 0; font-size: 22px; }
header a { color: #fff; }
.tag { font-size: 12px; font-weight: normal; border: 1px solid #fff; border-radius: 4px; padding: 0 6px; vertical-align: middle; }
main { max-width: 760px; margin: 0 auto; padding: 16px; }
.citizen h2 { font-size: 18px; margin: 24px 0 8px; }
.citizen h2 a { color: var(--blue); text-decoration: none; font-family: ui-monospace, monospace; }
.count { color: var(--muted); font-size: 14px; font-weight: normal; }
.message { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin: 12px 0; }
.meta { display: flex; justify-content: space-between; color: var(--muted); font-size: 14px; }
.subject { margin: 4px 0 8px; font-size: 18px; }
.body p { margin: 6px 0; overflow-wrap: anywhere; }
.payment { border-top: 1px solid var(--line); margin-top: 12px; padding-top: 8px; }
.payment .row { display: flex; justify-content: space-between; gap: 12px; padding: 2px 0; }
.payment .row span { color: var(--muted); }
.payment button { margin-top: 8px; width: 100%; padding: 10px; border: 0; border-radius: 6px; background: var(--blue); color: #fff; font-weight: bold; }
.payment.expired .amount { text-decoration: line-through; }
.warn { color: #a61919; margin: 8px 0 0; }
.empty { color: var(--muted); }
`;

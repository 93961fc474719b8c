/**
 * The citizen's counter as HTML, rendered on the server: pages that work without JavaScript on
 * any phone, in Italian, with the Designers Italia kit's CSS (bootstrap-italia, served with the
 * console's static files at /console/assets/). Every form is a plain POST carrying the session's
 * form token; every value printed is escaped.
 *
 * Accessibility (WCAG 2.1 AA, AgID's design guidelines): one h1 per page, a skip link, landmarks,
 * labels on every control, errors linked to their fields and announced (role=alert), tables with
 * captions and header cells, status in words not only in colour.
 */
import { formatRomeDate } from '../domain/dates';
import type { PaymentOption, PositionStatus } from '../domain/debt-position';
import { formatEuroItalian } from '../domain/money';
import { formatNoticeNumberForPrint } from '../domain/notice-number';
import type { Organization } from '../domain/organization';
import type { MessageRecord } from '../use-cases/app-io/ports';
import type { CitizenCart, CitizenSession, IdentityProviderChoice } from '../use-cases/citizens/ports';
import type { CitizenPosition, CounterEntry, CounterOrganization } from '../use-cases/citizens/counter';
import { MAX_CART_NOTICES } from '../use-cases/citizens/counter';

export const COUNTER_BASE = '/cittadino';
export const CSS_HREF = '/console/assets/bootstrap-italia.min.css';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
const e = escapeHtml;
const euro = (cents: number) => `${formatEuroItalian(cents)} €`;

export const STATUS_LABELS: Record<PositionStatus, string> = {
  DRAFT: 'Bozza',
  PUBLISHED: 'Pubblicata',
  VALID: 'Da pagare',
  PARTIALLY_PAID: 'Pagata in parte',
  PAID: 'Pagata',
  REPORTED: 'Pagata',
  INVALID: 'Annullata',
  EXPIRED: 'Scaduta',
};

const MESSAGE_KIND_LABELS: Record<string, string> = {
  'new-notice': 'Nuovo avviso',
  reminder: 'Promemoria di scadenza',
  receipt: 'Conferma di pagamento',
  cancellation: 'Avviso annullato',
};
const MESSAGE_STATE_LABELS: Record<string, string> = {
  sent: 'inviato',
  failed: 'non recapitato',
  skipped: 'non inviato',
  claimed: 'in invio',
  retry: 'in invio',
};

export interface PageOptions {
  readonly title: string;
  readonly session?: CitizenSession;
  /** the h1 and everything under it */
  readonly body: string;
}

export function page({ title, session, body }: PageOptions): string {
  const who = session
    ? `<div class="it-header-slim-right-zone"><span class="text-white me-3">${e(`${session.name} ${session.familyName}`)}</span>
        <form method="post" action="${COUNTER_BASE}/esci" class="d-inline"><input type="hidden" name="_token" value="${e(session.formToken)}"><button type="submit" class="btn btn-primary btn-sm btn-icon">Esci</button></form></div>`
    : '';
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · Sportello del cittadino</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${CSS_HREF}">
</head>
<body>
<a class="visually-hidden-focusable" href="#contenuto">Vai al contenuto principale</a>
<header class="it-header-wrapper">
  <div class="it-header-slim-wrapper">
    <div class="container">
      <div class="it-header-slim-wrapper-content">
        <a class="navbar-brand text-white" href="${COUNTER_BASE}/">Sportello del cittadino · pagamenti pagoPA</a>
        ${who}
      </div>
    </div>
  </div>
</header>
${session ? `<nav class="container mt-3" aria-label="Sezioni dello sportello"><ul class="nav"><li class="nav-item"><a class="nav-link" href="${COUNTER_BASE}/">I miei pagamenti</a></li><li class="nav-item"><a class="nav-link" href="${COUNTER_BASE}/servizi">Paga un servizio</a></li></ul></nav>` : ''}
<main id="contenuto" class="container my-4">
${body}
</main>
<footer class="it-footer"><div class="it-footer-small-prints clearfix"><div class="container"><p class="text-white py-3 mb-0">Pagamenti con pagoPA · accesso con SPID e CIE</p></div></div></footer>
</body>
</html>`;
}

export function formToken(session: CitizenSession): string {
  return `<input type="hidden" name="_token" value="${e(session.formToken)}">`;
}

// ---- sign-in -------------------------------------------------------------------------------

export function signInPage(providers: readonly IdentityProviderChoice[], returnTo: string, notice?: string): string {
  const link = (p: IdentityProviderChoice) =>
    `<li class="mb-2"><a class="btn btn-outline-primary w-100 text-start" href="${COUNTER_BASE}/accedi?idp=${encodeURIComponent(p.entityId)}&amp;torna=${encodeURIComponent(returnTo)}">${e(p.displayName)}</a></li>`;
  const spid = providers.filter((p) => p.scheme === 'spid');
  const cie = providers.filter((p) => p.scheme === 'cie');
  return page({
    title: 'Accedi',
    body: `<h1 class="mb-3">Accedi allo sportello</h1>
${notice ? `<div class="alert alert-warning" role="alert">${e(notice)}</div>` : ''}
<p class="lead">Vedi che cosa devi ai Comuni serviti da questo sportello, paga con pagoPA e scarica avvisi e ricevute.</p>
<div class="row">
  <section class="col-md-6 mb-4" aria-labelledby="accesso-spid">
    <h2 id="accesso-spid" class="h4">Entra con SPID</h2>
    ${spid.length > 0 ? `<p>Scegli il tuo gestore di identità digitale.</p><ul class="list-unstyled">${spid.map(link).join('')}</ul>` : '<p>Nessun gestore SPID disponibile in questo momento.</p>'}
  </section>
  <section class="col-md-6 mb-4" aria-labelledby="accesso-cie">
    <h2 id="accesso-cie" class="h4">Entra con CIE</h2>
    ${cie.length > 0 ? `<p>Usa la tua Carta d'Identità Elettronica.</p><ul class="list-unstyled">${cie.map(link).join('')}</ul>` : '<p>Accesso con CIE non disponibile in questo momento.</p>'}
  </section>
</div>`,
  });
}

// ---- the counter ---------------------------------------------------------------------------

const optionLabel = (o: PaymentOption, entry: CounterEntry): string =>
  entry.position.paymentOptions.length > 1 ? (o.isPartialPayment ? `rata con scadenza ${formatRomeDate(o.dueDate)}` : 'pagamento in unica soluzione') : 'pagamento unico';

function payableRows(entry: CounterEntry, organization: Organization, withLink: boolean): string {
  const title = e(entry.position.paymentOptions[0]?.description ?? entry.position.iupd);
  const detail = `${COUNTER_BASE}/posizioni/${organization.fiscalCode}/${encodeURIComponent(entry.position.iupd)}`;
  const rows = entry.position.paymentOptions.map((o) => {
    const payable = entry.payable.includes(o);
    const id = `avviso-${o.nav}`;
    const state = payable ? 'Da pagare' : o.status === 'PO_UNPAID' ? 'Non pagabile' : 'Pagato';
    return `<tr>
  <td>${payable ? `<div class="form-check m-0"><input class="form-check-input" type="checkbox" name="avviso" value="${o.nav}" id="${id}"><label class="form-check-label" for="${id}"><span class="visually-hidden">Paga ${title}, ${e(optionLabel(o, entry))}, </span>${euro(o.amount)}</label></div>` : euro(o.amount)}</td>
  <td>${e(optionLabel(o, entry))}</td>
  <td>${formatRomeDate(o.dueDate)}</td>
  <td><span class="font-monospace">${e(formatNoticeNumberForPrint(o.nav))}</span></td>
  <td>${state}</td>
</tr>`;
  });
  return `<tr class="table-light"><th scope="rowgroup" colspan="4">${withLink ? `<a href="${detail}">${title}</a>` : title}</th><td>${e(STATUS_LABELS[entry.status])}</td></tr>${rows.join('')}`;
}

function payForm(session: CitizenSession, organization: Organization, entries: readonly CounterEntry[], withLinks: boolean, caption: string): string {
  const anyPayable = entries.some((en) => en.payable.length > 0);
  return `<form method="post" action="${COUNTER_BASE}/pagamenti">
${formToken(session)}
<input type="hidden" name="ente" value="${organization.fiscalCode}">
<div class="table-responsive"><table class="table">
<caption>${e(caption)}</caption>
<thead><tr><th scope="col">Importo</th><th scope="col">Voce</th><th scope="col">Scadenza</th><th scope="col">Codice avviso</th><th scope="col">Stato</th></tr></thead>
<tbody>${entries.map((en) => payableRows(en, organization, withLinks)).join('')}</tbody>
</table></div>
${anyPayable ? `<button type="submit" class="btn btn-primary">Paga con pagoPA</button> <span class="ms-2 text-muted">Fino a ${MAX_CART_NOTICES} avvisi alla volta, con carta, conto o app.</span>` : ''}
</form>`;
}

export function counterPage(session: CitizenSession, organizations: readonly CounterOrganization[], alert?: { kind: 'danger' | 'success' | 'info'; text: string }): string {
  const sections = organizations.map(
    (c) => `<section class="mb-5" aria-labelledby="ente-${c.organization.fiscalCode}">
<h2 id="ente-${c.organization.fiscalCode}" class="h3">${e(c.organization.name)}</h2>
${payForm(session, c.organization, c.entries, true, `Le tue posizioni verso ${c.organization.name}`)}
${c.truncated ? '<p class="text-muted">Sono mostrate le posizioni più recenti.</p>' : ''}
</section>`,
  );
  return page({
    title: 'I miei pagamenti',
    session,
    body: `<h1 class="mb-4">I miei pagamenti</h1>
${alert ? `<div class="alert alert-${alert.kind}" role="alert">${e(alert.text)}</div>` : ''}
${sections.length > 0 ? sections.join('\n') : '<p>Non risultano pagamenti a tuo nome presso i Comuni di questo sportello.</p>'}
<p><a href="${COUNTER_BASE}/servizi">Paga un servizio del Comune</a> (certificati, mensa scolastica e altro).</p>`,
  });
}

function messagesList(messages: readonly MessageRecord[]): string {
  if (messages.length === 0) return '<p>Nessun messaggio inviato per questa posizione.</p>';
  return `<ul>${messages
    .map((m) => `<li>${e(MESSAGE_KIND_LABELS[m.kind] ?? m.kind)} · ${m.channel === 'email' ? 'e-mail' : 'app IO'} · ${e(MESSAGE_STATE_LABELS[m.state] ?? m.state)} il ${formatRomeDate(m.updatedAt)}</li>`)
    .join('')}</ul>`;
}

export function positionPage(session: CitizenSession, p: CitizenPosition, alert?: { kind: 'danger' | 'success' | 'info'; text: string }): string {
  const base = `${COUNTER_BASE}/posizioni/${p.organization.fiscalCode}/${encodeURIComponent(p.position.iupd)}`;
  const receipts = p.receipts.filter((r) => r.state === 'APPLIED');
  return page({
    title: p.position.paymentOptions[0]?.description ?? 'Posizione',
    session,
    body: `<nav aria-label="Percorso"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="${COUNTER_BASE}/">I miei pagamenti</a></li><li class="breadcrumb-item active" aria-current="page">${e(p.position.iupd)}</li></ol></nav>
<h1 class="mb-2">${e(p.position.paymentOptions[0]?.description ?? p.position.iupd)}</h1>
<p class="lead">${e(p.organization.name)} · <strong>${e(STATUS_LABELS[p.status])}</strong></p>
${alert ? `<div class="alert alert-${alert.kind}" role="alert">${e(alert.text)}</div>` : ''}
<dl class="row"><dt class="col-sm-3">Intestatario</dt><dd class="col-sm-9">${e(p.position.debtor.fullName)} (${e(p.position.debtor.fiscalCode)})</dd>
<dt class="col-sm-3">Codice posizione</dt><dd class="col-sm-9">${e(p.position.iupd)}</dd></dl>
${payForm(session, p.organization, [p], false, 'Importi e scadenze')}
${p.notice.available ? `<p class="mt-3"><a class="btn btn-outline-primary" href="${base}/avviso">Scarica l'avviso di pagamento (PDF)</a></p>` : ''}
<h2 class="h4 mt-4">Ricevute</h2>
${receipts.length > 0 ? `<ul>${receipts.map((r) => `<li>Pagato ${euro(r.receipt.paymentAmount)} il ${formatRomeDate(r.receipt.paymentDateTime ?? r.recordedAt)} tramite ${e(r.receipt.PSPCompanyName)} · <a href="${base}/ricevute/${encodeURIComponent(r.receiptId)}">Scarica la ricevuta (PDF)</a></li>`).join('')}</ul>` : '<p>Nessun pagamento ricevuto per questa posizione.</p>'}
<h2 class="h4 mt-4">Messaggi</h2>
${messagesList(p.messages)}`,
  });
}

export function cartOutcomePage(session: CitizenSession, outcome: string, cart: CitizenCart | undefined, paid: ReadonlySet<string>): string {
  const text =
    outcome === 'ok'
      ? 'Pagamento eseguito su pagoPA. La ricevuta arriva al Comune entro pochi minuti: gli avvisi risultano pagati appena arriva.'
      : outcome === 'annullato'
        ? 'Hai annullato il pagamento: non ti è stato addebitato nulla.'
        : 'Il pagamento non è andato a buon fine: non ti è stato addebitato nulla. Puoi riprovare.';
  const kind = outcome === 'ok' ? 'success' : outcome === 'annullato' ? 'info' : 'danger';
  const rows = (cart?.notices ?? []).map(
    (n) => `<tr><td>${e(n.description)}</td><td>${euro(n.amount)}</td><td><span class="font-monospace">${e(formatNoticeNumberForPrint(n.nav))}</span></td><td>${paid.has(n.nav) ? 'Pagato: ricevuta arrivata' : outcome === 'ok' ? 'In attesa della ricevuta' : 'Da pagare'}</td><td><a href="${COUNTER_BASE}/posizioni/${cart!.organizationFiscalCode}/${encodeURIComponent(n.iupd)}">Dettaglio</a></td></tr>`,
  );
  return page({
    title: 'Esito del pagamento',
    session,
    body: `<h1 class="mb-4">Esito del pagamento</h1>
<div class="alert alert-${kind}" role="alert">${e(text)}</div>
${rows.length > 0 ? `<div class="table-responsive"><table class="table"><caption>Avvisi del pagamento</caption><thead><tr><th scope="col">Voce</th><th scope="col">Importo</th><th scope="col">Codice avviso</th><th scope="col">Stato</th><th scope="col"><span class="visually-hidden">Collegamento</span></th></tr></thead><tbody>${rows.join('')}</tbody></table></div>` : ''}
<p><a href="${COUNTER_BASE}/">Torna ai miei pagamenti</a></p>`,
  });
}

/** Sign-out's way to the IdP's Single Logout: a page that goes on by itself (meta refresh) or by its link. */
export function leavingPage(idpLogoutUrl: string): string {
  const url = e(idpLogoutUrl);
  return page({
    title: 'Uscita',
    body: `<h1 class="mb-4">Uscita in corso</h1>
<p>Sei uscito dallo sportello. Ora esci anche dal tuo gestore di identità.</p>
<p><a class="btn btn-primary" href="${url}">Continua</a></p>`,
  }).replace('</title>', `</title>\n<meta http-equiv="refresh" content="0; url=${url}">`);
}

export function errorPage(status: number, title: string, message: string, session?: CitizenSession, requestId?: string): string {
  return page({
    title,
    ...(session ? { session } : {}),
    body: `<h1 class="mb-4">${e(title)}</h1>
<div class="alert alert-${status >= 500 ? 'danger' : 'warning'}" role="alert">${e(message)}</div>
${requestId ? `<p class="text-muted">Codice della richiesta da citare all'assistenza: <span class="font-monospace">${e(requestId)}</span></p>` : ''}
<p><a href="${COUNTER_BASE}/">Torna allo sportello</a></p>`,
  });
}

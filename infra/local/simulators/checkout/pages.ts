/**
 * The Checkout simulator's pages, in Italian, with the Designers Italia kit (bootstrap-italia, as
 * served by the local cloud at /console/assets/bootstrap-italia.min.css): skip link, one h1, the
 * notices in a table with a caption and header cells, labelled fields, visible focus (the kit's).
 */
import type { SimCart } from './simulator';

const BRAND = 'pagoPA Checkout (simulatore locale)';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const euro = new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR' });
/** integer cents → "1.234,56 €" */
export function formatEuro(cents: number): string {
  return euro.format(cents / 100);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${BRAND}</title>
<link rel="stylesheet" href="/console/assets/bootstrap-italia.min.css">
</head>
<body>
<a class="visually-hidden-focusable" href="#contenuto">Vai al contenuto</a>
<header class="it-header-slim-wrapper"><div class="container"><div class="it-header-slim-wrapper-content"><span class="d-lg-block navbar-brand">${BRAND}: al posto del vero pagoPA Checkout, nessun addebito reale</span></div></div></header>
<main id="contenuto" class="container my-5" style="max-width: 48rem">
${body}
</main>
</body>
</html>`;
}

/** The cart: its notices, the e-mail for the outcome, "Paga" and "Annulla". `actionBase`: the cart's path, e.g. /_sim/checkout/carts/<id>. */
export function cartPage(cart: SimCart, actionBase: string): string {
  const notices = cart.request.paymentNotices;
  const total = notices.reduce((sum, n) => sum + n.amount, 0);
  const rows = notices
    .map(
      (n) => `<tr>
  <td>${escapeHtml(n.companyName)}<br><small>Codice fiscale ente ${escapeHtml(n.fiscalCode)}</small></td>
  <td>${escapeHtml(n.description)}<br><small>Codice avviso ${escapeHtml(n.noticeNumber)}</small></td>
  <td class="text-end text-nowrap">${formatEuro(n.amount)}</td>
</tr>`,
    )
    .join('\n');
  const email = cart.email ?? cart.request.emailNotice ?? '';
  return layout(
    'Paga il carrello',
    `<h1 class="h2 mb-4">Paga ${notices.length === 1 ? 'l’avviso' : `${notices.length} avvisi`}</h1>
<div class="table-responsive">
<table class="table">
  <caption>Avvisi nel carrello</caption>
  <thead><tr><th scope="col">Ente creditore</th><th scope="col">Descrizione</th><th scope="col" class="text-end">Importo</th></tr></thead>
  <tbody>
${rows}
  </tbody>
  <tfoot><tr><th scope="row" colspan="2">Totale</th><td class="text-end text-nowrap"><strong id="totale">${formatEuro(total)}</strong></td></tr></tfoot>
</table>
</div>
<form method="post" action="${escapeHtml(actionBase)}/pay" class="mt-4">
  <div class="form-group mb-4">
    <label for="email" class="active">Indirizzo e-mail per ricevere l’esito</label>
    <input class="form-control" type="email" id="email" name="email" autocomplete="email" value="${escapeHtml(email)}" aria-describedby="email-aiuto">
    <small id="email-aiuto" class="form-text">pagoPA invia qui l’esito del pagamento.</small>
  </div>
  <button type="submit" class="btn btn-primary me-2">Paga</button>
</form>
<form method="post" action="${escapeHtml(actionBase)}/cancel" class="mt-3">
  <button type="submit" class="btn btn-outline-secondary">Annulla</button>
</form>`,
  );
}

/** An outcome or error page; `link` back to the creditor's site when known. */
export function messagePage(title: string, text: string, link?: { href: string; label: string }): string {
  return layout(
    title,
    `<h1 class="h2 mb-4">${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>
${link ? `<p><a class="btn btn-primary" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : ''}`,
  );
}

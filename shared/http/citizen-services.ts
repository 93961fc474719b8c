/**
 * Spontaneous payments at the citizen's counter (sportelli virtuali): the services each
 * municipality offers without a prior position (a certificate's fee, a canteen top-up), the form
 * of each, drawn from the service's JSON-schema form, and its submission. The values are
 * validated on the server by the same rules the node's paDemandPaymentNotice is checked with
 * (shared/domain/spontaneous-service.ts); the position is created through the same use case as
 * the REST API's, for the signed-in citizen as debtor, and the citizen lands on its page to pay
 * it now (Checkout) or later (PDF notice, App IO).
 *
 * The form carries a random request id: submitting it twice (a double click, a reload) answers the
 * same position, never two.
 */
import { randomBytes } from 'node:crypto';
import type { FieldError } from '../domain/debt-position-rules';
import { formatEuroItalian } from '../domain/money';
import type { Organization } from '../domain/organization';
import type { FormProperty, SpontaneousService } from '../domain/spontaneous-service';
import type { CitizenSession } from '../use-cases/citizens/ports';
import type { OrganizationStore } from '../use-cases/ports';
import { UseCaseError } from '../use-cases/errors';
import { requestSpontaneousPayment, serviceOf, servicesOf, type SpontaneousPaymentDeps } from '../use-cases/spontaneous-payments';
import { COUNTER_BASE, escapeHtml as e, formToken, page } from './citizen-pages';
import { PageRefusal, html, redirect, requireFormToken, signedIn, type PageRequest, type PageRoute } from './citizen-edge';

export interface CitizenServicesDeps extends SpontaneousPaymentDeps {
  readonly organizations: Pick<OrganizationStore, 'list' | 'get'>;
}

const amountText = (s: SpontaneousService): string => {
  const rule = s.amount;
  if ('fixed' in rule) return `${formatEuroItalian(rule.fixed)} €`;
  if ('perUnit' in rule) return `${formatEuroItalian(rule.perUnit)} € per unità`;
  return `da ${formatEuroItalian(rule.min)} € a ${formatEuroItalian(rule.max)} €`;
};

function servicesPage(session: CitizenSession, organizations: readonly Organization[]): string {
  const offered = organizations.filter((o) => servicesOf(o).length > 0);
  const sections = offered.map(
    (o) => `<section class="mb-4" aria-labelledby="servizi-${o.fiscalCode}"><h2 id="servizi-${o.fiscalCode}" class="h3">${e(o.name)}</h2>
<ul class="list-unstyled">${servicesOf(o)
      .map((s) => `<li class="mb-3"><a class="h5" href="${COUNTER_BASE}/servizi/${o.fiscalCode}/${s.id}">${e(s.name)}</a><br><span>${e(s.description)}</span> <span class="text-muted">(${e(amountText(s))})</span></li>`)
      .join('')}</ul></section>`,
  );
  return page({
    title: 'Paga un servizio',
    session,
    body: `<h1 class="mb-4">Paga un servizio</h1>
<p class="lead">Servizi che puoi pagare senza un avviso: compila il modulo, paga subito con pagoPA o più tardi con l'avviso.</p>
${sections.length > 0 ? sections.join('') : '<p>Nessun Comune di questo sportello offre servizi da pagare online.</p>'}`,
  });
}

function control(name: string, p: FormProperty, required: boolean, value: string, error: string | undefined): string {
  const id = `campo-${name}`;
  const label = e(p.title ?? name);
  const describedBy = [p.description ? `${id}-aiuto` : '', error ? `${id}-errore` : ''].filter(Boolean).join(' ');
  const aria = `${describedBy ? ` aria-describedby="${describedBy}"` : ''}${error ? ' aria-invalid="true"' : ''}${required ? ' required aria-required="true"' : ''}`;
  const help = p.description ? `<small id="${id}-aiuto" class="form-text">${e(p.description)}</small>` : '';
  const err = error ? `<div id="${id}-errore" class="form-feedback just-validate-error-label text-danger">${e(error)}</div>` : '';
  const mark = required ? ' <span aria-hidden="true">*</span>' : '';
  if (p.type === 'boolean') {
    return `<div class="form-check mb-4"><input class="form-check-input" type="checkbox" id="${id}" name="${name}" value="true"${value === 'true' ? ' checked' : ''}${aria}><label class="form-check-label" for="${id}">${label}${mark}</label>${help}${err}</div>`;
  }
  if (p.type === 'string' && p.enum) {
    return `<div class="select-wrapper mb-4"><label for="${id}">${label}${mark}</label><select id="${id}" name="${name}"${aria}><option value="">Scegli…</option>${p.enum
      .map((v) => `<option value="${e(v)}"${v === value ? ' selected' : ''}>${e(v)}</option>`)
      .join('')}</select>${help}${err}</div>`;
  }
  const type = p.type === 'string' ? (p.format === 'date' ? 'date' : p.format === 'email' ? 'email' : 'text') : 'number';
  const limits =
    p.type === 'string'
      ? `${p.maxLength ? ` maxlength="${p.maxLength}"` : ''}`
      : `${p.minimum !== undefined ? ` min="${p.minimum}"` : ''}${p.maximum !== undefined ? ` max="${p.maximum}"` : ''} step="${p.type === 'integer' ? '1' : '0.01'}" inputmode="${p.type === 'integer' ? 'numeric' : 'decimal'}"`;
  return `<div class="form-group mb-4"><label for="${id}" class="active">${label}${mark}</label><input class="form-control${error ? ' is-invalid' : ''}" type="${type}" id="${id}" name="${name}" value="${e(value)}"${limits}${aria}>${help}${err}</div>`;
}

/**
 * The form's fields in a stable order: those in `required` in its order, then the others by name
 * (the stored definition is a map, whose key order DynamoDB does not keep).
 */
function orderedFields(service: SpontaneousService): Array<[string, FormProperty]> {
  const required = service.form.required ?? [];
  const rank = (name: string) => (required.includes(name) ? required.indexOf(name) : required.length);
  return Object.entries(service.form.properties).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

function serviceFormPage(session: CitizenSession, organization: Organization, service: SpontaneousService, requestId: string, values: Readonly<Record<string, string>>, errors: readonly FieldError[]): string {
  const required = new Set(service.form.required ?? []);
  const errorOf = (name: string) => errors.filter((x) => x.field === name).map((x) => x.message).join('; ') || undefined;
  const summary = errors.length
    ? `<div class="alert alert-danger" role="alert"><p class="mb-1">Controlla il modulo:</p><ul class="mb-0">${[...errors]
        .sort((a, b) => orderedFields(service).findIndex(([n]) => n === a.field) - orderedFields(service).findIndex(([n]) => n === b.field))
        .map((x) => `<li>${service.form.properties[x.field] ? `<a href="#campo-${e(x.field)}">${e(service.form.properties[x.field]!.title ?? x.field)}</a>` : e(x.field)}: ${e(x.message)}</li>`)
        .join('')}</ul></div>`
    : '';
  return page({
    title: service.name,
    session,
    body: `<nav aria-label="Percorso"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="${COUNTER_BASE}/servizi">Paga un servizio</a></li><li class="breadcrumb-item active" aria-current="page">${e(service.name)}</li></ol></nav>
<h1 class="mb-2">${e(service.name)}</h1>
<p class="lead">${e(organization.name)} · ${e(amountText(service))}</p>
<p>${e(service.description)}</p>
${summary}
<form method="post" action="${COUNTER_BASE}/servizi/${organization.fiscalCode}/${service.id}" novalidate>
${formToken(session)}
<input type="hidden" name="_richiesta" value="${e(requestId)}">
<p class="text-muted">I campi con * sono obbligatori. L'avviso sarà intestato a ${e(`${session.name} ${session.familyName}`)}.</p>
${orderedFields(service)
  .map(([name, p]) => control(name, p, required.has(name), values[name] ?? '', errorOf(name)))
  .join('\n')}
<button type="submit" class="btn btn-primary">Crea l'avviso</button>
</form>`,
  });
}

async function offered(deps: CitizenServicesDeps, r: PageRequest): Promise<{ organization: Organization; service: SpontaneousService }> {
  const ofc = r.pathParameters['organizationFiscalCode'] ?? '';
  const organization = /^\d{11}$/.test(ofc) ? await deps.organizations.get(ofc) : undefined;
  const service = organization && organization.status === 'ACTIVE' ? serviceOf(organization, r.pathParameters['serviceId'] ?? '') : undefined;
  if (!organization || !service) throw new PageRefusal(404, 'Servizio non trovato', 'Questo servizio non è offerto dallo sportello.');
  return { organization, service };
}

const FORM_CONTROL_FIELDS = new Set(['_token', '_richiesta']);

export function citizenServiceRoutes(deps: CitizenServicesDeps): Record<string, PageRoute> {
  return {
    [`GET ${COUNTER_BASE}/servizi`]: async (r) => {
      const session = signedIn(r);
      const organizations = (await deps.organizations.list()).filter((o) => o.status === 'ACTIVE');
      return html(200, servicesPage(session, organizations));
    },
    [`GET ${COUNTER_BASE}/servizi/{organizationFiscalCode}/{serviceId}`]: async (r) => {
      const session = signedIn(r);
      const { organization, service } = await offered(deps, r);
      return html(200, serviceFormPage(session, organization, service, randomBytes(16).toString('hex'), {}, []));
    },
    [`POST ${COUNTER_BASE}/servizi/{organizationFiscalCode}/{serviceId}`]: async (r) => {
      const session = requireFormToken(r);
      const { organization, service } = await offered(deps, r);
      const requestId = r.form.get('_richiesta') ?? '';
      if (!/^[0-9a-f]{32}$/.test(requestId)) throw new PageRefusal(400, 'Richiesta non valida', 'Il modulo è incompleto: ricarica la pagina e riprova.');
      const raw: Record<string, string> = {};
      for (const [name, value] of r.form) if (!FORM_CONTROL_FIELDS.has(name)) raw[name] = value;
      try {
        const { position } = await requestSpontaneousPayment(deps, organization, {
          serviceId: service.id,
          debtor: { type: 'F', fiscalCode: session.fiscalNumber, fullName: `${session.name} ${session.familyName}`.slice(0, 70), ...(session.email ? { email: session.email } : {}) },
          values: raw,
          // the citizen's own key space: the same form id from someone else is another request
          requestKey: `${session.fiscalNumber}:${requestId}`,
          channel: 'citizen-counter',
          requestId: r.requestId,
        });
        return redirect(`${COUNTER_BASE}/posizioni/${organization.fiscalCode}/${encodeURIComponent(position.iupd)}`);
      } catch (error) {
        if (error instanceof UseCaseError && error.kind === 'invalid') {
          return html(400, serviceFormPage(session, organization, service, requestId, raw, error.fields));
        }
        throw error;
      }
    },
  };
}

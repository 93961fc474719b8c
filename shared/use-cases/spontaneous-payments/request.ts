/**
 * A spontaneous payment (pagamento spontaneo): the citizen on the counter, or a PSP through the
 * node's paDemandPaymentNotice, asks to pay one of the tenant's services (shared/domain/
 * spontaneous-service.ts). The form is validated, the position built and created PUBLISHED → VALID
 * through the same create use case the REST API uses (notice numbers, events, the printed notice
 * and App IO follow the normal path).
 *
 * Idempotent: the iupd is derived from the request key (`SPONT-<serviceId>-<hash>`), so the same
 * request twice — a double click, the node retrying — finds the position made the first time
 * (`created: false`) and never creates a second one, also when the two race.
 */
import { createHash } from 'node:crypto';
import type { DebtPosition } from '../../domain/debt-position';
import type { FieldError } from '../../domain/debt-position-rules';
import type { Organization } from '../../domain/organization';
import {
  checkPayer,
  spontaneousPositionContent,
  validateServiceForm,
  type SpontaneousPayer,
  type SpontaneousService,
} from '../../domain/spontaneous-service';
import { createDebtPosition } from '../debt-positions/create';
import type { CreatePositionDeps } from '../debt-positions/ports';
import { UseCaseError } from '../errors';
import type { Actor } from '../ports';

export type SpontaneousPaymentDeps = CreatePositionDeps;

/** where the request came from: the citizen's counter, or a PSP through the node (paDemandPaymentNotice) */
export type SpontaneousChannel = 'citizen-counter' | 'psp';

export interface SpontaneousPaymentRequest {
  readonly serviceId: string;
  readonly debtor: SpontaneousPayer;
  /** the form's values as they arrived (strings from an HTML form are coerced per the form) */
  readonly values: Readonly<Record<string, unknown>>;
  /** the same key → the same position (the counter: a form nonce; the station: the request's content and Rome day) */
  readonly requestKey: string;
  readonly channel: SpontaneousChannel;
  /** for the audit line; default: the position's iupd */
  readonly requestId?: string;
}

export interface SpontaneousPaymentResult {
  readonly position: DebtPosition;
  /** false: the position this request key made before */
  readonly created: boolean;
}

/** The tenant's spontaneous services, in the order provisioned. */
export function servicesOf(organization: Organization): readonly SpontaneousService[] {
  return organization.spontaneousServices ?? [];
}

export function serviceOf(organization: Organization, id: string): SpontaneousService | undefined {
  return servicesOf(organization).find((s) => s.id === id);
}

/** `SPONT-<serviceId>-<first 32 hex of SHA-256(serviceId, requestKey)>`: 44 characters, a valid iupd. */
export function spontaneousIupd(serviceId: string, requestKey: string): string {
  const hash = createHash('sha256').update(`${serviceId}\n${requestKey}`, 'utf8').digest('hex').slice(0, 32);
  return `SPONT-${serviceId}-${hash}`;
}

/**
 * Throws UseCaseError 'not-found' for a service the tenant does not offer, 'invalid' (every
 * offending field named: form fields by name, the payer as debtor.*) for bad input — nothing is
 * written then — and 'conflict' only if the request key's position exists for another service.
 */
export async function requestSpontaneousPayment(
  deps: SpontaneousPaymentDeps,
  organization: Organization,
  request: SpontaneousPaymentRequest,
): Promise<SpontaneousPaymentResult> {
  const service = serviceOf(organization, request.serviceId);
  if (!service) throw new UseCaseError('not-found', `${organization.fiscalCode} offers no spontaneous service ${request.serviceId}`);
  if (request.requestKey.length === 0) throw new UseCaseError('invalid', 'a request key is required', [{ field: 'requestKey', message: 'is empty' }]);

  const payerErrors = checkPayer(request.debtor);
  const form = validateServiceForm(service, request.values);
  const errors: FieldError[] = [...payerErrors, ...(Array.isArray(form) ? form : [])];
  if (errors.length > 0 || Array.isArray(form)) {
    throw new UseCaseError('invalid', `Invalid ${errors.map((e) => e.field).join(', ')}`, errors);
  }

  const iupd = spontaneousIupd(service.id, request.requestKey);
  const existing = await deps.positions.get(organization.fiscalCode, iupd);
  if (existing) return { position: existing, created: false };

  const actor: Actor = {
    organizationFiscalCode: organization.fiscalCode,
    keyId: `system:spontaneous:${request.channel}`,
    requestId: request.requestId ?? iupd,
  };
  const content = spontaneousPositionContent(service, organization, { payer: request.debtor, values: form.values, now: deps.clock() });
  try {
    const position = await createDebtPosition(deps, { organization, actor, iupd, content, toPublish: true });
    return { position, created: true };
  } catch (error) {
    // the same request, a moment earlier, won the race: its position is the answer
    if (error instanceof UseCaseError && error.kind === 'conflict') {
      const raced = await deps.positions.get(organization.fiscalCode, iupd);
      if (raced) return { position: raced, created: false };
    }
    throw error;
  }
}

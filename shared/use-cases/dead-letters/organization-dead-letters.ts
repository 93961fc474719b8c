/**
 * The dead-letter queues as one municipality's administrator sees them in the console. The queues
 * are the deployment's, shared by its tenants: the depth of each is a count of every tenant's
 * messages (no content), the messages listed are only those of the administrator's organization
 * (its fiscal code in the message), and only those can be redriven, one at a time, once the cause
 * is fixed. Redriving a whole queue stays the deployment operator's (`npm run admin -- dlq redrive`).
 */
import { UseCaseError } from '../errors';
import type { DeadLetterMessage, DeadLetterQueues } from './ports';

export interface OrganizationDeadLettersDeps {
  readonly deadLetters: Pick<DeadLetterQueues, 'list' | 'redriveMessage'>;
  /** the queues of the catalog (each has its `<id>-dlq`) */
  readonly queues: readonly string[];
}

/** how many messages of each DLQ are looked at */
export const DEAD_LETTERS_LOOKED_AT = 100;

export interface OrganizationDeadLetters {
  readonly queue: string;
  /** every tenant's messages */
  readonly depth: number;
  /** this organization's, among the first DEAD_LETTERS_LOOKED_AT */
  readonly messages: readonly DeadLetterMessage[];
  /** true when the DLQ holds more than was looked at */
  readonly partial: boolean;
}

/**
 * Whose a queued message is: the `organizationFiscalCode` of the layer's own messages (events,
 * deliveries, uploads, IO), or a receipt's `fiscalCode` (the creditor's, as the node sends it).
 * Undefined for a body that is not JSON or names no organization: shown to nobody in the console.
 */
export function organizationOfMessage(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const o = parsed as Record<string, unknown>;
  const candidate = o['organizationFiscalCode'] ?? o['fiscalCode'] ?? (typeof o['receipt'] === 'object' && o['receipt'] !== null ? (o['receipt'] as Record<string, unknown>)['fiscalCode'] : undefined);
  return typeof candidate === 'string' && /^\d{11}$/.test(candidate) ? candidate : undefined;
}

export async function deadLettersOfOrganization(deps: OrganizationDeadLettersDeps, organizationFiscalCode: string): Promise<OrganizationDeadLetters[]> {
  return Promise.all(
    deps.queues.map(async (queue) => {
      const summary = await deps.deadLetters.list(queue, DEAD_LETTERS_LOOKED_AT);
      return {
        queue,
        depth: summary.depth,
        messages: summary.messages.filter((m) => organizationOfMessage(m.body) === organizationFiscalCode),
        partial: summary.depth > summary.messages.length,
      };
    }),
  );
}

/** One of the organization's messages back to its queue; another tenant's, or one not there, is a 404. */
export async function redriveOrganizationMessage(deps: OrganizationDeadLettersDeps, organizationFiscalCode: string, queue: string, messageId: string): Promise<void> {
  if (!deps.queues.includes(queue)) throw new UseCaseError('not-found', `no queue ${queue}`);
  // one pass over the DLQ: the message is checked as received, and another tenant's is left where it is
  const mine = (m: DeadLetterMessage) => organizationOfMessage(m.body) === organizationFiscalCode;
  if (!(await deps.deadLetters.redriveMessage(queue, messageId, DEAD_LETTERS_LOOKED_AT * 10, mine))) {
    throw new UseCaseError('not-found', 'no such message of this organization in that dead-letter queue');
  }
}

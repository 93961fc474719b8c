/**
 * What the back office asks of its debt positions, in domain terms: the REST edge maps the GPD
 * wire shapes to these (shared/http/debt-position-mapping.ts), the use cases never see the wire.
 */
import type { PositionContent } from '../../domain/debt-position';
import type { Organization } from '../../domain/organization';
import type { Actor } from '../ports';

/** Create a position (DRAFT, or published at once with `toPublish`). */
export interface CreateDebtPosition {
  readonly organization: Organization;
  readonly actor: Actor;
  readonly iupd: string;
  readonly content: PositionContent;
  readonly toPublish: boolean;
}

/** Replace the content of a position; options keep the notice numbers the back office sends back. */
export interface UpdateDebtPosition {
  readonly organization: Organization;
  readonly actor: Actor;
  readonly iupd: string;
  readonly content: PositionContent;
  readonly toPublish: boolean;
}

/** Publish, invalidate or delete one position. */
export interface PositionCommand {
  readonly organizationFiscalCode: string;
  readonly actor: Actor;
  readonly iupd: string;
}

import type { FieldError } from '../domain/debt-position-rules';

/** A failure the caller caused and can be told about; mapped to 400/404/409 at the edge. */
export class UseCaseError extends Error {
  constructor(
    readonly kind: 'invalid' | 'not-found' | 'conflict',
    message: string,
    readonly fields: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = 'UseCaseError';
  }
}

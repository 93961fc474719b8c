/**
 * RFC 7807 problem details, in the shape GPD clients already parse ({title, status, detail}),
 * extended with `errors`: every offending field of a request, not just the first.
 */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export interface ProblemJson {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly errors?: readonly FieldProblem[];
}

/** An error whose message is safe to show the caller; anything else becomes a bare 500. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: readonly FieldProblem[],
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(`${status} ${title}: ${detail}`);
    this.name = 'HttpProblem';
  }

  toJSON(): ProblemJson {
    return {
      type: 'about:blank',
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors && this.errors.length > 0 ? { errors: this.errors } : {}),
    };
  }
}

export const badRequest = (detail: string, errors?: readonly FieldProblem[]): HttpProblem =>
  new HttpProblem(400, 'Bad Request', detail, errors);
export const invalidFields = (errors: readonly FieldProblem[]): HttpProblem =>
  new HttpProblem(400, 'Bad Request', `Invalid ${errors.map((e) => e.field).join(', ')}`, errors);
export const unauthorized = (detail: string): HttpProblem => new HttpProblem(401, 'Unauthorized', detail);
export const forbidden = (detail: string): HttpProblem => new HttpProblem(403, 'Forbidden', detail);
export const notFound = (detail: string): HttpProblem => new HttpProblem(404, 'Not Found', detail);
export const conflict = (detail: string, errors?: readonly FieldProblem[]): HttpProblem =>
  new HttpProblem(409, 'Conflict', detail, errors);
export const payloadTooLarge = (detail: string): HttpProblem => new HttpProblem(413, 'Payload Too Large', detail);
export const unsupportedMediaType = (detail: string): HttpProblem => new HttpProblem(415, 'Unsupported Media Type', detail);

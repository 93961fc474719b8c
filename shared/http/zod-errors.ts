import type * as z from 'zod';
import type { FieldProblem } from './problem';

/** zod issues → field problems with GPD-style paths: paymentOption[0].transfer[1].iban */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: pathToField(issue.path) || '(body)', message: issue.message }));
}

export function pathToField(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

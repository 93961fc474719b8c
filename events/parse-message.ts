/**
 * Never trust a queue message: its body is parsed as JSON and checked against its contract.
 * Malformed JSON fails like a body that breaks the contract (the message is reported failed,
 * retried, then parked in its DLQ), never thrown past the consumer.
 */
import type * as z from 'zod';

export function parseMessage<S extends z.ZodType>(schema: S, body: string): ReturnType<S['safeParse']> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    value = undefined;
  }
  return schema.safeParse(value) as ReturnType<S['safeParse']>;
}

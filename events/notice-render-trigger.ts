/**
 * What the `notice-render` queue carries: the domain events of debt positions (debt-position.*)
 * and payments (payment.received), copied by the event dispatcher. The notice renderer reads of
 * them only which position, at which version; the rest of the contract is the producers'
 * (domain-events.ts), parsed loosely here so a new field upstream never parks messages in the DLQ.
 */
import * as z from 'zod';

export const noticeRenderTriggerSchema = z.looseObject({
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  iupd: z.string().min(1).max(70),
  version: z.number().int().min(1),
});
export type NoticeRenderTrigger = z.infer<typeof noticeRenderTriggerSchema>;

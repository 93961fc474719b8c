/**
 * A tenant as an operator describes it: an entry of the local seed file, or the file of
 * `npm run admin -- create-tenant --file`. The admin CLI and the seed are the edges of
 * provisioning; both parse with this schema (every offending field named at once) and hand the
 * use case the command it maps to, so a seed that starts locally also provisions on AWS.
 */
import * as z from 'zod';
import { validatePartitaIva } from '../domain/fiscal-code';
import { isItalianIban, validateIban } from '../domain/iban';
import { isValidSegregationCode } from '../domain/notice-number';
import type { IoService, IoSettings } from '../domain/organization';
import { checkServiceDefinition, spontaneousServiceSchema } from '../domain/spontaneous-service';
import { TenantMessageTemplatesSchema, validateTemplate, type MessageKind } from '../domain/app-io/templates';
import type { ProvisionOrganization } from '../use-cases/organizations/commands';
import type { FieldProblem } from './problem';
import { fieldProblems } from './zod-errors';

const check = (validate: (v: string) => string | null) => (value: string, ctx: z.core.$RefinementCtx<string>) => {
  const reason = validate(value);
  if (reason !== null) ctx.addIssue({ code: 'custom', message: reason });
};

const italianIban = z
  .string()
  .superRefine(check(validateIban))
  .refine(isItalianIban, 'a creditor account on pagoPA is an Italian IBAN');

const ioServiceInputSchema = z.strictObject({
  serviceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1..64 characters among A-Z a-z 0-9 _ -'),
  name: z.string().trim().min(1).max(70),
  /** local seed and tests only: on AWS the key lives in Secrets Manager */
  apiKey: z.string().min(16, 'an IO subscription key has at least 16 characters').max(200).optional(),
  apiKeySecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name').optional(),
  taxonomy: z.array(z.string().min(2).max(40)).max(50).optional(),
  ratePerSecond: z.number().int().min(1).max(1000).optional(),
});

export const DEFAULT_IO_SERVICE_ID = 'default';

/**
 * `io` of a tenant: several services chosen by the transfer taxonomy, or the older single-key
 * form `io: {apiKey}` (one default service). Templates are checked as the template API checks them.
 */
export const ioSettingsInputSchema = z
  .strictObject({
    services: z.array(ioServiceInputSchema).max(20).optional(),
    /** single default service (backward compatible `io: {apiKey}`) */
    apiKey: z.string().min(16, 'an IO subscription key has at least 16 characters').max(200).optional(),
    defaultServiceId: z.string().min(1).max(64).optional(),
    reminderDays: z.array(z.number().int().min(1).max(365)).max(10).optional(),
    notifyCancellation: z.boolean().optional(),
    emailFallback: z.boolean().optional(),
    templates: TenantMessageTemplatesSchema.optional(),
  })
  .superRefine((io, ctx) => {
    const ids = (io.services ?? []).map((s) => s.serviceId);
    if (io.apiKey !== undefined) ids.push(DEFAULT_IO_SERVICE_ID);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['services'], message: 'service ids must be unique' });
    if (io.defaultServiceId !== undefined && !ids.includes(io.defaultServiceId)) {
      ctx.addIssue({ code: 'custom', path: ['defaultServiceId'], message: 'must be one of the services' });
    }
    for (const [kind, template] of Object.entries(io.templates ?? {})) {
      if (!template) continue;
      const validation = validateTemplate(template, { kind: kind as MessageKind });
      if (!validation.ok) {
        for (const e of validation.errors) ctx.addIssue({ code: 'custom', path: ['templates', kind, e.field], message: e.message });
      }
    }
  });
export type IoSettingsInput = z.infer<typeof ioSettingsInputSchema>;

/** A tenant as an operator describes it (seed file entry, or `admin create-tenant --file`). */
export const organizationInputSchema = z
  .strictObject({
    fiscalCode: z.string().superRefine(check(validatePartitaIva)),
    name: z.string().trim().min(1).max(70),
    sector: z.string().trim().min(1).max(70).optional(),
    segregationCode: z
      .string()
      .refine(isValidSegregationCode, 'must be 2 digits assigned by pagoPA, not one reserved to national services'),
    brokerId: z.string().regex(/^[A-Za-z0-9_-]{1,35}$/, 'must be 1..35 characters'),
    stationId: z.string().regex(/^[A-Za-z0-9_-]{1,35}$/, 'must be 1..35 characters'),
    iban: italianIban.optional(),
    ibans: z.array(italianIban).min(1).max(20).optional(),
    postalAccount: z
      .union([
        z.string().regex(/^\d{1,12}$/),
        z.strictObject({
          number: z.string().regex(/^\d{1,12}$/, 'a postal account has up to 12 digits'),
          holder: z.string().max(70).optional(),
          authorizationCode: z.string().max(40).optional(),
        }),
      ])
      .optional(),
    cbill: z.string().regex(/^[A-Z0-9]{5}$/, 'a CBILL code is 5 characters').optional(),
    logoKey: z.string().max(200).optional(),
    contact: z
      .strictObject({ website: z.string().max(200).optional(), email: z.email().optional(), phone: z.string().max(30).optional() })
      .optional(),
    apiKeys: z.array(z.string().min(16, 'an API key has at least 16 characters').max(200)).max(10).optional(),
    webhookSecrets: z.array(z.string().min(16, 'a webhook secret has at least 16 characters').max(200)).max(10).optional(),
    io: ioSettingsInputSchema.optional(),
    /** pagamenti spontanei: see shared/domain/spontaneous-service.ts for the shape and the JSON Schema subset */
    spontaneousServices: z.array(spontaneousServiceSchema).max(50).optional(),
  })
  .superRefine((input, ctx) => {
    const services = input.spontaneousServices ?? [];
    const ibans = [...(input.ibans ?? []), ...(input.iban ? [input.iban] : [])];
    const seen = new Set<string>();
    services.forEach((service, i) => {
      if (seen.has(service.id)) ctx.addIssue({ code: 'custom', path: ['spontaneousServices', i, 'id'], message: `service id ${service.id} is used twice` });
      seen.add(service.id);
      for (const e of checkServiceDefinition(service, { ibans })) {
        ctx.addIssue({ code: 'custom', path: ['spontaneousServices', i, ...e.field.split('.')], message: e.message });
      }
    });
  });
export type OrganizationInput = z.infer<typeof organizationInputSchema>;

/** A tenant description that does not parse: every offending field, prefixed with where it was read. */
export class InvalidOrganizationInput extends Error {
  constructor(readonly fields: readonly FieldProblem[]) {
    super(fields.map((f) => `${f.field}: ${f.message}`).join('; '));
    this.name = 'InvalidOrganizationInput';
  }
}

/** Parses a tenant description read from `where` (a file name, a seed entry) into the provisioning command. */
export function parseOrganizationInput(value: unknown, where: string): ProvisionOrganization {
  const result = organizationInputSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidOrganizationInput(fieldProblems(result.error).map((f) => ({ field: `${where}.${f.field}`, message: f.message })));
  }
  return toProvisionCommand(result.data);
}

export function toProvisionCommand(input: OrganizationInput): ProvisionOrganization {
  const ibans = [...new Set([...(input.ibans ?? []), ...(input.iban ? [input.iban] : [])])];
  const postal = typeof input.postalAccount === 'string' ? { number: input.postalAccount } : input.postalAccount;
  return {
    profile: {
      fiscalCode: input.fiscalCode,
      name: input.name,
      sector: input.sector,
      segregationCode: input.segregationCode,
      brokerId: input.brokerId,
      stationId: input.stationId,
      ibans,
      postalAccount: postal ? { ...postal, number: postal.number.padStart(12, '0') } : undefined,
      cbill: input.cbill,
      logoKey: input.logoKey,
      contact: input.contact,
      ...(input.io ? { io: toIoSettings(input.io, input.name) } : {}),
      ...(input.spontaneousServices ? { spontaneousServices: input.spontaneousServices } : {}),
    },
    apiKeys: input.apiKeys ?? [],
    webhookSecrets: input.webhookSecrets ?? [],
  };
}

export function toIoSettings(input: IoSettingsInput, organizationName: string): IoSettings {
  const services: IoService[] = (input.services ?? []).map((s) => ({ ...s }));
  if (input.apiKey !== undefined) services.push({ serviceId: DEFAULT_IO_SERVICE_ID, name: organizationName, apiKey: input.apiKey });
  return {
    services,
    ...(input.defaultServiceId !== undefined ? { defaultServiceId: input.defaultServiceId } : input.apiKey !== undefined && services.length > 1 ? { defaultServiceId: DEFAULT_IO_SERVICE_ID } : {}),
    ...(input.reminderDays !== undefined ? { reminderDays: [...input.reminderDays] } : {}),
    ...(input.notifyCancellation !== undefined ? { notifyCancellation: input.notifyCancellation } : {}),
    ...(input.emailFallback !== undefined ? { emailFallback: input.emailFallback } : {}),
    ...(input.templates !== undefined ? { templates: input.templates } : {}),
  };
}

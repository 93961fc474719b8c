/**
 * Provisioning tenants (creditor institutions): what the admin CLI and the local seed file do.
 * The same validation for both, so a seed that starts locally also provisions on AWS.
 */
import * as z from 'zod';
import { validatePartitaIva } from '../domain/fiscal-code';
import { isItalianIban, validateIban } from '../domain/iban';
import { isValidSegregationCode } from '../domain/notice-number';
import type { IoService, IoSettings, Organization } from '../domain/organization';
import { TenantMessageTemplatesSchema, validateTemplate, type MessageKind } from '../domain/message-templates';
import { apiKeyId, hashApiKey } from '../http/api-keys';
import { fieldProblems } from '../http/zod-errors';
import { UseCaseError } from './errors';
import type { ApiKeyRecord, OrganizationStore } from './ports';

const check = (validate: (v: string) => string | null) => (value: string, ctx: z.core.$RefinementCtx<string>) => {
  const reason = validate(value);
  if (reason !== null) ctx.addIssue({ code: 'custom', message: reason });
};

const italianIban = z
  .string()
  .superRefine(check(validateIban))
  .refine(isItalianIban, 'a creditor account on pagoPA is an Italian IBAN');

/** A tenant as an operator describes it (seed file entry, or `admin create-tenant --file`). */
export const organizationInputSchema = z.strictObject({
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
  io: z.lazy(() => ioSettingsInputSchema).optional(),
});
export type OrganizationInput = z.infer<typeof organizationInputSchema>;

export function toOrganization(input: OrganizationInput, now: Date): Organization {
  const ibans = [...new Set([...(input.ibans ?? []), ...(input.iban ? [input.iban] : [])])];
  if (ibans.length === 0) {
    throw new UseCaseError('invalid', 'an organization needs at least one IBAN', [{ field: 'iban', message: 'required' }]);
  }
  const postal = typeof input.postalAccount === 'string' ? { number: input.postalAccount } : input.postalAccount;
  return {
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
    status: 'ACTIVE',
    createdAt: now.toISOString(),
    ...(input.io ? { io: toIoSettings(input.io, input.name) } : {}),
  };
}

export function parseOrganizationInput(value: unknown, where: string): OrganizationInput {
  const result = organizationInputSchema.safeParse(value);
  if (!result.success) {
    const fields = fieldProblems(result.error).map((f) => ({ field: `${where}.${f.field}`, message: f.message }));
    throw new UseCaseError('invalid', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
  }
  return result.data;
}

/**
 * Creates or updates a tenant and registers the given API keys and webhook secrets (idempotent:
 * keys already registered are left as they are). Returns the key ids.
 */
export async function provisionOrganization(
  store: OrganizationStore,
  input: OrganizationInput,
  now: Date,
): Promise<{ organization: Organization; created: boolean; keyIds: string[] }> {
  const fresh = toOrganization(input, now);
  const existing = await store.get(fresh.fiscalCode);
  const organization: Organization = existing ? { ...fresh, createdAt: existing.createdAt, status: existing.status } : fresh;
  const created = existing ? false : await store.create(organization);
  if (existing) await store.put(organization);

  const keyIds: string[] = [];
  const known = new Set((await store.listApiKeys(organization.fiscalCode)).map((k) => k.keyId));
  for (const [i, key] of (input.apiKeys ?? []).entries()) {
    const hash = hashApiKey(key);
    const keyId = apiKeyId(hash);
    keyIds.push(keyId);
    if (known.has(keyId)) continue;
    await store.addApiKey({ keyId, organizationFiscalCode: organization.fiscalCode, label: `seed-${i + 1}`, createdAt: now.toISOString() }, hash);
  }
  const secrets = new Set((await store.activeWebhookSecrets(organization.fiscalCode)).map((s) => s.secretId));
  for (const secret of input.webhookSecrets ?? []) {
    const secretId = apiKeyId(hashApiKey(secret));
    if (!secrets.has(secretId)) await store.addWebhookSecret(organization.fiscalCode, secretId, secret, now.toISOString());
  }
  return { organization, created, keyIds };
}

export async function issueApiKey(
  store: OrganizationStore,
  organizationFiscalCode: string,
  key: string,
  label: string,
  now: Date,
): Promise<ApiKeyRecord> {
  if (!(await store.get(organizationFiscalCode))) {
    throw new UseCaseError('not-found', `no organization ${organizationFiscalCode}`);
  }
  const hash = hashApiKey(key);
  const record: ApiKeyRecord = { keyId: apiKeyId(hash), organizationFiscalCode, label, createdAt: now.toISOString() };
  await store.addApiKey(record, hash);
  return record;
}

// ---- App IO settings ------------------------------------------------------------------------

const ioServiceInputSchema = z.strictObject({
  serviceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1..64 characters among A-Z a-z 0-9 _ -'),
  name: z.string().trim().min(1).max(70),
  /** local seed and tests only: on AWS the key lives in Secrets Manager */
  apiKey: z.string().min(16, 'an IO subscription key has at least 16 characters').max(200).optional(),
  apiKeySecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name').optional(),
  taxonomy: z.array(z.string().min(2).max(40)).max(50).optional(),
  ratePerSecond: z.number().int().min(1).max(1000).optional(),
});

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

export const DEFAULT_IO_SERVICE_ID = 'default';

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

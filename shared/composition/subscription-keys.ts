/**
 * One source of a tenant's pagoPA subscription key per product (FdR, Checkout), the same way for
 * every product:
 * - on AWS (`<PRODUCT>_SECRET_PREFIX` set by the catalog's `secret:<product>` grant, e.g.
 *   FDR_SECRET_PREFIX, CHECKOUT_SECRET_PREFIX): the Secrets Manager secret
 *   `<prefix><organization fiscal code>` (a plain string or {"apiKey"}), cached for
 *   `<PRODUCT>_SECRET_CACHE_SECONDS` (default 300) so a rotated key is picked up within that;
 *   a missing secret is "no key" (undefined), any other failure is thrown;
 * - locally (no prefix): the table item the seed wrote (shared/adapters/dynamo/subscription-key-store.ts).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DynamoSubscriptionKeyStore, type PagopaSubscriptionProduct } from '../adapters/dynamo/subscription-key-store';
import { SecretsManagerSource } from '../adapters/secrets';
import { readConfig } from '../config/env';

export type { PagopaSubscriptionProduct } from '../adapters/dynamo/subscription-key-store';

/** A tenant's subscription key for one product; undefined when the tenant has none. */
export type SubscriptionKeySource = (organizationFiscalCode: string) => Promise<string | undefined>;

export interface SubscriptionKeySettings {
  /** AWS: the secrets' name prefix; undefined locally */
  readonly secretPrefix?: string | undefined;
  readonly cacheSeconds: number;
}

/** Reads `<PRODUCT>_SECRET_PREFIX` and `<PRODUCT>_SECRET_CACHE_SECONDS` (0..3600, default 300). */
export function subscriptionKeySettings(product: PagopaSubscriptionProduct, env: NodeJS.ProcessEnv = process.env): SubscriptionKeySettings {
  const name = product.toUpperCase();
  const schema = z.object({
    [`${name}_SECRET_PREFIX`]: z.string().min(1).optional(),
    [`${name}_SECRET_CACHE_SECONDS`]: z.coerce.number().int().min(0).max(3600).default(300),
  });
  const config = readConfig(schema, env) as Record<string, unknown>;
  return { secretPrefix: config[`${name}_SECRET_PREFIX`] as string | undefined, cacheSeconds: config[`${name}_SECRET_CACHE_SECONDS`] as number };
}

export function subscriptionKeySource(
  product: PagopaSubscriptionProduct,
  table: { readonly db: DynamoDBDocumentClient; readonly tableName: string },
  settings: SubscriptionKeySettings,
  secretsClient: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): SubscriptionKeySource {
  const prefix = settings.secretPrefix;
  if (prefix === undefined) {
    const local = new DynamoSubscriptionKeyStore(table.db, table.tableName, product);
    return (ofc) => local.get(ofc);
  }
  const secrets = new SecretsManagerSource(secretsClient, { ttlMs: settings.cacheSeconds * 1000 });
  return async (ofc) => {
    try {
      return await secrets.get(`${prefix}${ofc}`);
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
}

/**
 * Seeds the local cloud's tenants from a JSON file (SEED_FILE, default infra/local/seed.json):
 *   {"organizations": [{"fiscalCode", "name", "segregationCode", "iban", "postalAccount"?,
 *     "apiKeys": [..], "webhookSecrets": [..], "brokerId", "stationId", "io": {"apiKey"}?,
 *     "fdr": {"apiKey"}?, "checkout": {"apiKey"}?}]}
 *   (fdr, checkout: the tenant's pagoPA subscription keys for FdR and for the Checkout EC API;
 *   written to the table here, on AWS Secrets Manager secrets — shared/composition/subscription-keys.ts)
 * The same file's `"operators"` (the console's demo operators: username, password, name, role,
 * organizations) are read and checked by the local OpenID provider (simulators/oidc/operators.ts),
 * not written to the table: operators live in the identity provider (Cognito on AWS).
 * The seed file is an edge of provisioning: every entry is parsed (shared/http/organization-schemas.ts,
 * the same validation as `npm run admin -- create-tenant`) before any is written; re-running it
 * is harmless.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoSubscriptionKeyStore, type PagopaSubscriptionProduct } from '../../shared/adapters/dynamo/subscription-key-store';
import { DynamoOrganizationStore } from '../../shared/adapters/dynamo/organization-store';
import { parseOrganizationInput } from '../../shared/http/organization-schemas';
import { provisionOrganization } from '../../shared/use-cases/organizations/provision';

export interface SeedSummary {
  organizations: Array<{ fiscalCode: string; name: string; apiKeys: string[] }>;
}

export async function seedOrganizations(
  seedFile: string,
  cloud: { endpoints: { dynamodb: string }; env: Record<string, string>; region: string },
): Promise<SeedSummary> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(seedFile, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the seed file ${seedFile}: ${(error as Error).message}`);
  }
  const organizations = (raw as { organizations?: unknown }).organizations;
  if (!Array.isArray(organizations)) throw new Error(`${seedFile}: "organizations" must be an array`);

  const tableName = cloud.env['TABLE_NAME_MAIN'];
  if (!tableName) throw new Error('the local cloud did not create the main table');
  const client = new DynamoDBClient({
    endpoint: cloud.endpoints.dynamodb,
    region: cloud.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = new DynamoOrganizationStore(createDocumentClient(client), tableName);
  const summary: SeedSummary = { organizations: [] };
  try {
    // validate every entry before writing any
    const keys = organizations.map((entry, i) =>
      PRODUCTS.map((product) => [product, subscriptionKeyOf(entry, product, `${seedFile}: organizations[${i}].${product}`)] as const),
    );
    const commands = organizations.map((entry, i) => parseOrganizationInput(withoutSubscriptionKeys(entry), `${seedFile}: organizations[${i}]`));
    const db = createDocumentClient(client);
    const keyStores = new Map(PRODUCTS.map((product) => [product, new DynamoSubscriptionKeyStore(db, tableName, product)]));
    for (const [i, command] of commands.entries()) {
      await provisionOrganization(store, command, new Date());
      for (const [product, apiKey] of keys[i] ?? []) {
        if (apiKey !== undefined) await keyStores.get(product)?.put(command.profile.fiscalCode, apiKey);
      }
      summary.organizations.push({ fiscalCode: command.profile.fiscalCode, name: command.profile.name, apiKeys: [...command.apiKeys] });
    }
  } finally {
    client.destroy();
  }
  return summary;
}

/** The pagoPA products whose subscription key an organization entry may carry. */
const PRODUCTS: readonly PagopaSubscriptionProduct[] = ['fdr', 'checkout'];

/** The seed's `<product>: {"apiKey"}` (the tenant's subscription key for that product), checked; undefined when absent. */
function subscriptionKeyOf(entry: unknown, product: PagopaSubscriptionProduct, where: string): string | undefined {
  const value = (entry as Record<string, unknown> | null)?.[product];
  if (value === undefined) return undefined;
  const apiKey = (value as { apiKey?: unknown } | null)?.apiKey;
  if (typeof apiKey !== 'string' || !/^[\x21-\x7e]{8,256}$/.test(apiKey)) throw new Error(`${where}: must be {"apiKey": "<8..256 printable characters>"}`);
  return apiKey;
}

/** The entry without the subscription keys, for the strict organization schema. */
function withoutSubscriptionKeys(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return entry;
  const rest: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
  for (const product of PRODUCTS) delete rest[product];
  return rest;
}

/**
 * Seeds the local cloud's tenants from a JSON file (SEED_FILE, default infra/local/seed.json):
 *   {"organizations": [{"fiscalCode", "name", "segregationCode", "iban", "postalAccount"?,
 *     "apiKeys": [..], "webhookSecrets": [..], "brokerId", "stationId", "io": {"apiKey"}?}]}
 * The same validation as `npm run admin -- create-tenant`; re-running it is harmless.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoOrganizationStore } from '../../shared/adapters/dynamo/organization-store';
import { parseOrganizationInput, provisionOrganization } from '../../shared/use-cases/organizations';

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
    const inputs = organizations.map((entry, i) => parseOrganizationInput(entry, `${seedFile}: organizations[${i}]`));
    for (const input of inputs) {
      await provisionOrganization(store, input, new Date());
      summary.organizations.push({ fiscalCode: input.fiscalCode, name: input.name, apiKeys: input.apiKeys ?? [] });
    }
  } finally {
    client.destroy();
  }
  return summary;
}

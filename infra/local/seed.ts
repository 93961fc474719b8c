/**
 * Seeds the local cloud's tenants from a JSON file (SEED_FILE, default infra/local/seed.json):
 *   {"organizations": [{"fiscalCode", "name", "segregationCode", "iban", "postalAccount"?,
 *     "apiKeys": [..], "webhookSecrets": [..], "brokerId", "stationId", "io": {"apiKey"}?}]}
 * The seed file is an edge of provisioning: every entry is parsed (shared/http/organization-schemas.ts,
 * the same validation as `npm run admin -- create-tenant`) before any is written; re-running it
 * is harmless.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
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
    const commands = organizations.map((entry, i) => parseOrganizationInput(entry, `${seedFile}: organizations[${i}]`));
    for (const command of commands) {
      await provisionOrganization(store, command, new Date());
      summary.organizations.push({ fiscalCode: command.profile.fiscalCode, name: command.profile.name, apiKeys: [...command.apiKeys] });
    }
  } finally {
    client.destroy();
  }
  return summary;
}

/**
 * Seeds the local cloud's tenants from a JSON file (SEED_FILE, default infra/local/seed.json):
 *   {"organizations": [{"fiscalCode", "name", "segregationCode", "iban", "postalAccount"?,
 *     "apiKeys": [..], "webhookSecrets": [..], "brokerId", "stationId", "io": {"apiKey"}?,
 *     "fdr": {"apiKey"}?}]}   (fdr: the tenant's FdR subscription key; on AWS a Secrets Manager secret)
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
import { DynamoFdrKeyStore } from '../../shared/adapters/dynamo/fdr-key-store';
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
    const fdrKeys = organizations.map((entry, i) => fdrKeyOf(entry, `${seedFile}: organizations[${i}].fdr`));
    const commands = organizations.map((entry, i) => parseOrganizationInput(withoutFdr(entry), `${seedFile}: organizations[${i}]`));
    const fdrStore = new DynamoFdrKeyStore(createDocumentClient(client), tableName);
    for (const [i, command] of commands.entries()) {
      await provisionOrganization(store, command, new Date());
      const fdrKey = fdrKeys[i];
      if (fdrKey !== undefined) await fdrStore.put(command.profile.fiscalCode, fdrKey);
      summary.organizations.push({ fiscalCode: command.profile.fiscalCode, name: command.profile.name, apiKeys: [...command.apiKeys] });
    }
  } finally {
    client.destroy();
  }
  return summary;
}

/** The seed's `fdr: {"apiKey"}` (the tenant's FdR subscription key), checked; undefined when absent. */
function fdrKeyOf(entry: unknown, where: string): string | undefined {
  const fdr = (entry as { fdr?: unknown } | null)?.fdr;
  if (fdr === undefined) return undefined;
  const apiKey = (fdr as { apiKey?: unknown } | null)?.apiKey;
  if (typeof apiKey !== 'string' || !/^[\x21-\x7e]{8,256}$/.test(apiKey)) throw new Error(`${where}: must be {"apiKey": "<8..256 printable characters>"}`);
  return apiKey;
}

function withoutFdr(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return entry;
  const { fdr: _fdr, ...rest } = entry as Record<string, unknown>;
  return rest;
}

/**
 * Tenant administration, against the local cloud or AWS:
 *
 *   npm run admin -- create-tenant --file tenant.json      (seed-file entry shape; prints a new API key)
 *   npm run admin -- issue-key --org <fiscalCode> [--label text]
 *   npm run admin -- revoke-key --org <fiscalCode> --key-id <id>
 *   npm run admin -- list-keys --org <fiscalCode>
 *   npm run admin -- add-webhook-secret --org <fiscalCode>
 *   npm run admin -- revoke-webhook-secret --org <fiscalCode> --secret-id <id>
 *   npm run admin -- list-tenants
 *
 * Target: the running local stack by default (it writes .local-data/local-cloud.json), or AWS
 * with `--table <TableName>` (the Stateful stack's TableName output) and the usual AWS
 * credentials/region environment. Keys and secrets are printed once and stored only as hashes
 * (keys) or in the KMS-encrypted table (webhook secrets).
 */
import { readFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoOrganizationStore } from '../shared/adapters/dynamo/organization-store';
import { apiKeyId, generateApiKey, generateWebhookSecret, hashApiKey } from '../shared/http/api-keys';
import { UseCaseError } from '../shared/use-cases/errors';
import { issueApiKey, parseOrganizationInput, provisionOrganization } from '../shared/use-cases/organizations';

const LOCAL_STATE = '.local-data/local-cloud.json';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    file: { type: 'string' },
    org: { type: 'string' },
    label: { type: 'string' },
    'key-id': { type: 'string' },
    'secret-id': { type: 'string' },
    table: { type: 'string' },
    region: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

function usage(): never {
  console.error(readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]?.replace(/^\/\*\*|^ \* ?/gm, '') ?? '');
  process.exit(2);
}

function target(): { client: DynamoDBClient; table: string; where: string } {
  if (values.table) {
    return { client: new DynamoDBClient(values.region ? { region: values.region } : {}), table: values.table, where: `AWS table ${values.table}` };
  }
  if (!existsSync(LOCAL_STATE)) {
    console.error(`No --table given and no running local stack found (${LOCAL_STATE}). Start it with \`npm start\`, or pass --table.`);
    process.exit(2);
  }
  const state = JSON.parse(readFileSync(LOCAL_STATE, 'utf8')) as { dynamodb: string; table: string; region: string };
  const client = new DynamoDBClient({
    endpoint: state.dynamodb,
    region: state.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { client, table: state.table, where: `local stack (${state.dynamodb})` };
}

function required(name: 'org' | 'file' | 'key-id' | 'secret-id'): string {
  const value = values[name];
  if (!value) {
    console.error(`--${name} is required`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const command = positionals[0];
  if (!command || values.help) usage();
  const { client, table, where } = target();
  const store = new DynamoOrganizationStore(createDocumentClient(client), table);
  const now = new Date();
  try {
    switch (command) {
      case 'create-tenant': {
        const file = required('file');
        const input = parseOrganizationInput(JSON.parse(readFileSync(file, 'utf8')), file);
        const key = generateApiKey();
        const result = await provisionOrganization(store, { ...input, apiKeys: [...(input.apiKeys ?? []), key] }, now);
        console.log(`${result.created ? 'Created' : 'Updated'} ${result.organization.name} (${result.organization.fiscalCode}) in ${where}.`);
        console.log(`New API key (shown once, store it now): ${key}`);
        console.log(`Key id: ${apiKeyId(hashApiKey(key))}`);
        break;
      }
      case 'issue-key': {
        const key = generateApiKey();
        const record = await issueApiKey(store, required('org'), key, values.label ?? 'issued by admin', now);
        console.log(`New API key for ${record.organizationFiscalCode} (shown once): ${key}`);
        console.log(`Key id: ${record.keyId}. Revoke the old key once clients have switched: revoke-key --key-id <old id>`);
        break;
      }
      case 'revoke-key': {
        const ok = await store.revokeApiKey(required('org'), required('key-id'), now.toISOString());
        console.log(ok ? 'Revoked (warm functions may accept it for up to API_KEY_CACHE_SECONDS).' : 'No such key.');
        if (!ok) process.exitCode = 1;
        break;
      }
      case 'list-keys': {
        for (const k of await store.listApiKeys(required('org'))) {
          console.log(`${k.keyId}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  created ${k.createdAt}  ${k.label}`);
        }
        break;
      }
      case 'add-webhook-secret': {
        const org = required('org');
        if (!(await store.get(org))) throw new UseCaseError('not-found', `no organization ${org}`);
        const secret = generateWebhookSecret();
        const secretId = apiKeyId(hashApiKey(secret));
        await store.addWebhookSecret(org, secretId, secret, now.toISOString());
        console.log(`New webhook secret (shown once): ${secret}\nSecret id: ${secretId}`);
        break;
      }
      case 'revoke-webhook-secret': {
        const ok = await store.revokeWebhookSecret(required('org'), required('secret-id'), now.toISOString());
        console.log(ok ? 'Revoked.' : 'No such secret.');
        if (!ok) process.exitCode = 1;
        break;
      }
      case 'list-tenants': {
        for (const o of await store.list()) console.log(`${o.fiscalCode}  ${o.status}  seg ${o.segregationCode}  ${o.name}`);
        break;
      }
      default:
        usage();
    }
  } catch (error) {
    if (error instanceof UseCaseError) {
      console.error(error.message);
      process.exitCode = 1;
    } else throw error;
  } finally {
    client.destroy();
  }
}

await main();

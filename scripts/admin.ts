/**
 * Tenant administration, against the running local stack or AWS (`npm run admin -- --help`).
 * An edge of provisioning: it reads its target from its own flags (and the AWS SDK's usual
 * environment), parses what the operator gives it (shared/http/organization-schemas.ts) and hands
 * the use cases their commands. Keys and secrets are printed once and stored only as hashes
 * (keys) or in the KMS-encrypted table (webhook secrets).
 *
 * Conventions: `--help` prints to stdout and exits 0; a usage error (unknown command or option,
 * missing value) is one line on stderr and exit 2; a refusal (no such tenant or key, an invalid
 * tenant file, a failed call) is one line on stderr and exit 1; `--json` prints one JSON document
 * on stdout instead of the text, for scripts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoOrganizationStore } from '../shared/adapters/dynamo/organization-store';
import { apiKeyId, generateApiKey, generateWebhookSecret, hashApiKey } from '../shared/domain/api-keys';
import { InvalidOrganizationInput, parseOrganizationInput } from '../shared/http/organization-schemas';
import { UseCaseError } from '../shared/use-cases/errors';
import { addWebhookSecret, issueApiKey } from '../shared/use-cases/organizations/credentials';
import { provisionOrganization } from '../shared/use-cases/organizations/provision';

const LOCAL_STATE = '.local-data/local-cloud.json';

const USAGE = `Tenant administration, on the running local stack or on AWS.

Usage: npm run admin -- <command> [options]

Commands:
  create-tenant --file <tenant.json>               create or update a tenant (the shape of a seed-file
                                                   entry); prints a new API key, once
  issue-key --org <fiscalCode> [--label <text>]    a new API key for the tenant (shown once)
  revoke-key --org <fiscalCode> --key-id <id>      revoke one of its keys
  list-keys --org <fiscalCode>                     its keys: id, state, creation, label
  add-webhook-secret --org <fiscalCode>            a new receipt-webhook secret (shown once)
  revoke-webhook-secret --org <fiscalCode> --secret-id <id>
  list-tenants                                     every tenant: fiscal code, state, segregation code, name

Options:
  --table <TableName>   work on AWS: the Stateful stack's TableName output, with the usual AWS
                        credentials and region environment (default: the running local stack,
                        found through ${LOCAL_STATE})
  --region <region>     the AWS region of --table
  --json                print one JSON document on stdout instead of text (for scripts)
  -h, --help            print this help

Exit status: 0 done; 1 refused (no such tenant or key, invalid tenant file, failed call);
2 usage error (unknown command or option, missing value, no target).
`;

const COMMANDS = [
  'create-tenant',
  'issue-key',
  'revoke-key',
  'list-keys',
  'add-webhook-secret',
  'revoke-webhook-secret',
  'list-tenants',
] as const;
type Command = (typeof COMMANDS)[number];

const OPTIONS = {
  file: { type: 'string' },
  org: { type: 'string' },
  label: { type: 'string' },
  'key-id': { type: 'string' },
  'secret-id': { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Values {
  readonly file?: string;
  readonly org?: string;
  readonly label?: string;
  readonly 'key-id'?: string;
  readonly 'secret-id'?: string;
  readonly table?: string;
  readonly region?: string;
  readonly json?: boolean;
  readonly help?: boolean;
}

/** A usage error (exit 2) or a refusal (exit 1), told in one line. */
class Stop extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

const usageError = (message: string) => new Stop(`admin: ${message} (npm run admin -- --help)`, 2);

function parseCommandLine(argv: string[]): { command?: Command; values: Values } {
  let parsed: { positionals: string[]; values: Values };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw usageError(unknown ? `unknown option ${unknown[1]}` : (message.split('\n')[0] ?? message));
  }
  const [name, ...extra] = parsed.positionals;
  if (parsed.values.help) return { values: parsed.values };
  if (name === undefined) throw usageError('a command is required');
  if (!(COMMANDS as readonly string[]).includes(name)) throw usageError(`unknown command ${name}`);
  if (extra.length > 0) throw usageError(`unexpected argument ${extra[0]}`);
  return { command: name as Command, values: parsed.values };
}

function target(values: Values): { client: DynamoDBClient; table: string; where: string } {
  if (values.table) {
    return {
      client: new DynamoDBClient(values.region ? { region: values.region } : {}),
      table: values.table,
      where: `AWS table ${values.table}`,
    };
  }
  if (!existsSync(LOCAL_STATE)) {
    throw new Stop(`admin: no --table given and no running local stack found (${LOCAL_STATE}); start it with \`npm start\`, or pass --table`, 2);
  }
  const state = JSON.parse(readFileSync(LOCAL_STATE, 'utf8')) as { dynamodb: string; table: string; region: string };
  const client = new DynamoDBClient({
    endpoint: state.dynamodb,
    region: state.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { client, table: state.table, where: `local stack (${state.dynamodb})` };
}

function required(values: Values, name: 'org' | 'file' | 'key-id' | 'secret-id'): string {
  const value = values[name];
  if (!value) throw usageError(`--${name} is required`);
  return value;
}

function readTenantFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Stop(`admin: cannot read ${file}: ${(error as Error).message}`, 1);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Stop(`admin: ${file} is not JSON: ${(error as Error).message}`, 1);
  }
}

/** What a command prints: the JSON document, and the text lines for a person. */
interface Output {
  readonly json: unknown;
  readonly text: readonly string[];
  readonly exitCode?: number;
}

async function run(command: Command, values: Values, store: DynamoOrganizationStore, where: string): Promise<Output> {
  const now = new Date();
  switch (command) {
    case 'create-tenant': {
      const file = required(values, 'file');
      const parsed = parseOrganizationInput(readTenantFile(file), file);
      const key = generateApiKey();
      const result = await provisionOrganization(store, { ...parsed, apiKeys: [...parsed.apiKeys, key] }, now);
      const { organization, created } = result;
      const keyId = apiKeyId(hashApiKey(key));
      return {
        json: { created, fiscalCode: organization.fiscalCode, name: organization.name, target: where, apiKey: key, keyId },
        text: [
          `${created ? 'Created' : 'Updated'} ${organization.name} (${organization.fiscalCode}) in ${where}.`,
          `New API key (shown once, store it now): ${key}`,
          `Key id: ${keyId}`,
        ],
      };
    }
    case 'issue-key': {
      const key = generateApiKey();
      const record = await issueApiKey(store, required(values, 'org'), key, values.label ?? 'issued by admin', now);
      return {
        json: { organizationFiscalCode: record.organizationFiscalCode, apiKey: key, keyId: record.keyId, label: record.label },
        text: [
          `New API key for ${record.organizationFiscalCode} (shown once): ${key}`,
          `Key id: ${record.keyId}. Revoke the old key once clients have switched: revoke-key --key-id <old id>`,
        ],
      };
    }
    case 'revoke-key': {
      const revoked = await store.revokeApiKey(required(values, 'org'), required(values, 'key-id'), now.toISOString());
      return {
        json: { revoked },
        text: [revoked ? 'Revoked (warm functions may accept it for up to API_KEY_CACHE_SECONDS).' : 'No such key.'],
        exitCode: revoked ? 0 : 1,
      };
    }
    case 'list-keys': {
      const keys = await store.listApiKeys(required(values, 'org'));
      return {
        json: keys,
        text: keys.map((k) => `${k.keyId}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  created ${k.createdAt}  ${k.label}`),
      };
    }
    case 'add-webhook-secret': {
      const org = required(values, 'org');
      const secret = generateWebhookSecret();
      const { secretId } = await addWebhookSecret(store, org, secret, now);
      return {
        json: { organizationFiscalCode: org, secret, secretId },
        text: [`New webhook secret (shown once): ${secret}`, `Secret id: ${secretId}`],
      };
    }
    case 'revoke-webhook-secret': {
      const revoked = await store.revokeWebhookSecret(required(values, 'org'), required(values, 'secret-id'), now.toISOString());
      return { json: { revoked }, text: [revoked ? 'Revoked.' : 'No such secret.'], exitCode: revoked ? 0 : 1 };
    }
    case 'list-tenants': {
      const tenants = (await store.list()).map((o) => ({
        fiscalCode: o.fiscalCode,
        name: o.name,
        status: o.status,
        segregationCode: o.segregationCode,
        brokerId: o.brokerId,
        stationId: o.stationId,
      }));
      return { json: tenants, text: tenants.map((o) => `${o.fiscalCode}  ${o.status}  seg ${o.segregationCode}  ${o.name}`) };
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const { command, values } = parseCommandLine(argv);
  if (!command) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { client, table, where } = target(values);
  try {
    const output = await run(command, values, new DynamoOrganizationStore(createDocumentClient(client), table), where);
    process.stdout.write(values.json ? `${JSON.stringify(output.json, null, 2)}\n` : output.text.map((line) => `${line}\n`).join(''));
    return output.exitCode ?? 0;
  } catch (error) {
    if (error instanceof Stop) throw error;
    if (error instanceof UseCaseError || error instanceof InvalidOrganizationInput) throw new Stop(`admin: ${error.message}`, 1);
    const { name, message } = error as Error;
    throw new Stop(`admin: ${command} failed (${where}): ${name}: ${message}`, 1);
  } finally {
    client.destroy();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof Stop)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = error.exitCode;
}

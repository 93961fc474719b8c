/**
 * Tenant administration and the dead-letter queues, against the running local stack or AWS
 * (`npm run admin -- --help`).
 * An edge of provisioning: it reads its target from its own flags (and the AWS SDK's usual
 * environment), parses what the operator gives it (shared/http/organization-schemas.ts) and hands
 * the use cases their commands. Keys and secrets are printed once and stored only as hashes
 * (keys) or in the KMS-encrypted table (webhook secrets).
 *
 * Conventions: `--help` prints to stdout and exits 0; a usage error (unknown command or option,
 * missing value) is one line on stderr and exit 2; a refusal (no such tenant or key, an invalid
 * tenant file, a failed call) is one line on stderr and exit 1; `--json` prints one JSON document
 * on stdout instead of the text, for scripts.
 *
 * `dlq list|show|redrive <queue>` works on the dead-letter queue of any queue of the catalog
 * (infra/catalog.ts), through shared/adapters/dead-letter-queues.ts: on AWS (`--stage`) redrive is
 * an SQS message move task; on the local stack (whose emulator has no move tasks) the messages
 * are moved one by one (receive, send to the queue, delete).
 */
import { lookup, type LookupOptions } from 'node:dns';
import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { catalog } from '../infra/catalog';
import { resourceNames } from '../infra/local/resources';
import { SqsDeadLetterQueues } from '../shared/adapters/dead-letter-queues';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { addPositionKeysToReceipts, backfillPositionListing } from '../shared/adapters/dynamo/backfills';
import { DynamoOrganizationStore } from '../shared/adapters/dynamo/organization-store';
import { apiKeyId, generateApiKey, generateWebhookSecret, hashApiKey } from '../shared/domain/api-keys';
import { InvalidOrganizationInput, parseOrganizationInput } from '../shared/http/organization-schemas';
import { UseCaseError } from '../shared/use-cases/errors';
import { addWebhookSecret, issueApiKey, listApiKeys, revokeApiKey } from '../shared/use-cases/organizations/credentials';
import { provisionOrganization } from '../shared/use-cases/organizations/provision';

/** where `npm start` records the running stack (the same LOCAL_STATE_FILE override as infra/local/main.ts) */
const LOCAL_STATE = process.env['LOCAL_STATE_FILE'] ?? '.local-data/local-cloud.json';
const QUEUE_IDS = catalog.queues.map((q) => q.id);
/** who acts in a key's record when this CLI issues or revokes it */
const adminCli = (organizationFiscalCode: string) => ({ organizationFiscalCode, keyId: 'system:admin-cli', requestId: `admin-cli-${process.pid}` });

const USAGE = `Tenant administration and the dead-letter queues, on the running local stack or on AWS.

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
  backfill                                         bring items written before an access pattern existed up
                                                   to date (positions' listing entries, receipts' position
                                                   keys for the dossier); idempotent, safe while running

  fdr-sync --org <fiscalCode>                      acquire the tenant's reporting flows from pagoPA FdR now
                                                   (a request on the reporting-flows queue; local, or --stage)

  dlq list [<queue>]                               the depth of every dead-letter queue; with a queue, a
                                                   sample of its messages (--max, default 10) and its
                                                   move tasks
  dlq show <queue> --message-id <id>               one message of the queue's DLQ: attributes and body
  dlq redrive <queue>                              every message of the queue's DLQ back to the queue
                                                   (once the cause is fixed)
  <queue>: a queue of the catalog or its DLQ's name (receipts or receipts-dlq): one of
    ${QUEUE_IDS.join(', ')}.
  Messages are read with a zero visibility timeout: list and show take nothing.

Options:
  --table <TableName>   work on AWS: the Stateful stack's TableName output, with the usual AWS
                        credentials and region environment (default: the running local stack,
                        found through ${LOCAL_STATE})
  --region <region>     the AWS region of --table or --stage
  --stage <stage>       dlq on AWS: the stage deployed (its queues are ${catalog.service}-<stage>-<queue>[-dlq]);
                        redrive starts an SQS message move task (default: the running local stack,
                        where messages are moved one by one)
  --message-id <id>     dlq show: the message
  --max <n>             dlq list / show: how many messages to read at most (default 10 / 1000)
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
  'backfill',
  'dlq',
  'fdr-sync',
] as const;
const DLQ_ACTIONS = ['list', 'show', 'redrive'] as const;
type DlqAction = (typeof DLQ_ACTIONS)[number];
type Command = (typeof COMMANDS)[number];

const OPTIONS = {
  file: { type: 'string' },
  org: { type: 'string' },
  label: { type: 'string' },
  'key-id': { type: 'string' },
  'secret-id': { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  stage: { type: 'string' },
  'message-id': { type: 'string' },
  max: { type: 'string' },
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
  readonly stage?: string;
  readonly 'message-id'?: string;
  readonly max?: string;
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

interface DlqRequest {
  readonly action: DlqAction;
  /** the catalog's queue id; absent for `dlq list` of every queue */
  readonly queue?: string;
}

function parseCommandLine(argv: string[]): { command?: Command; values: Values; dlq?: DlqRequest } {
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
  if (name === 'dlq') return { command: 'dlq', values: parsed.values, dlq: parseDlq(extra, parsed.values) };
  if (extra.length > 0) throw usageError(`unexpected argument ${extra[0]}`);
  return { command: name as Command, values: parsed.values };
}

function parseDlq(args: readonly string[], values: Values): DlqRequest {
  const [action, queueArg, ...rest] = args;
  if (action === undefined) throw usageError(`dlq needs an action: ${DLQ_ACTIONS.join(', ')}`);
  if (!(DLQ_ACTIONS as readonly string[]).includes(action)) throw usageError(`unknown dlq action ${action} (${DLQ_ACTIONS.join(', ')})`);
  if (rest.length > 0) throw usageError(`unexpected argument ${rest[0]}`);
  if (queueArg === undefined && action !== 'list') throw usageError(`dlq ${action} needs a queue (${QUEUE_IDS.join(', ')})`);
  const queue = queueArg?.replace(/-dlq$/, '');
  if (queue !== undefined && !QUEUE_IDS.includes(queue)) throw usageError(`unknown queue ${queueArg} (${QUEUE_IDS.join(', ')})`);
  if (action === 'show' && !values['message-id']) throw usageError('--message-id is required');
  if (values.max !== undefined && !/^[1-9]\d{0,3}$/.test(values.max)) throw usageError('--max must be a whole number from 1 to 9999');
  if (values.table !== undefined) throw usageError('dlq works on queues: give --stage (AWS) instead of --table');
  return { action: action as DlqAction, ...(queue !== undefined ? { queue } : {}) };
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

async function run(command: Exclude<Command, 'dlq' | 'fdr-sync'>, values: Values, db: DynamoDBDocumentClient, table: string, where: string): Promise<Output> {
  const now = new Date();
  const store = new DynamoOrganizationStore(db, table);
  switch (command) {
    case 'backfill': {
      const listed = await backfillPositionListing(db, table);
      const receipts = await addPositionKeysToReceipts(db, table);
      return {
        json: { positionsListed: listed, receiptsScanned: receipts.scanned, receiptsUpdated: receipts.updated },
        text: [`Backfill of ${where}:`, `  positions given their listing entries: ${listed}`, `  receipts given their position keys: ${receipts.updated} of ${receipts.scanned} without them`],
      };
    }
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
      const record = await issueApiKey(store, required(values, 'org'), key, values.label ?? 'issued by admin', now, adminCli(required(values, 'org')));
      return {
        json: { organizationFiscalCode: record.organizationFiscalCode, apiKey: key, keyId: record.keyId, label: record.label },
        text: [
          `New API key for ${record.organizationFiscalCode} (shown once): ${key}`,
          `Key id: ${record.keyId}. Revoke the old key once clients have switched: revoke-key --key-id <old id>`,
        ],
      };
    }
    case 'revoke-key': {
      const revoked = await revokeApiKey(store, required(values, 'org'), required(values, 'key-id'), now, adminCli(required(values, 'org'))).then(
        () => true,
        (error: unknown) => {
          if (error instanceof UseCaseError && error.kind === 'not-found') return false;
          throw error;
        },
      );
      return {
        json: { revoked },
        text: [revoked ? 'Revoked (warm functions may accept it for up to API_KEY_CACHE_SECONDS).' : 'No such key.'],
        exitCode: revoked ? 0 : 1,
      };
    }
    case 'list-keys': {
      const keys = await listApiKeys(store, required(values, 'org'));
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

/** The dead-letter queues of the target: AWS (--stage, message move tasks) or the running local stack. */
function deadLetterTarget(values: Values): { sqs: SQSClient; queues: SqsDeadLetterQueues; where: string } {
  let sqs: SQSClient;
  let name: (id: string) => string;
  let where: string;
  if (values.stage) {
    if (!/^[a-z0-9-]{1,32}$/.test(values.stage)) throw usageError('--stage must be a stage name (lower-case letters, digits, -)');
    sqs = new SQSClient(values.region ? { region: values.region } : {});
    const prefix = `${catalog.service}-${values.stage}`;
    name = (id) => `${prefix}-${id}`;
    where = `AWS stage ${values.stage}`;
  } else {
    if (!existsSync(LOCAL_STATE)) {
      throw new Stop(`admin: no --stage given and no running local stack found (${LOCAL_STATE}); start it with \`npm start\`, or pass --stage`, 2);
    }
    const state = JSON.parse(readFileSync(LOCAL_STATE, 'utf8')) as { sqs?: string; region: string };
    if (!state.sqs) throw new Stop(`admin: ${LOCAL_STATE} does not name the local stack's SQS endpoint ("sqs"); restart it with \`npm start\``, 2);
    sqs = new SQSClient({
      endpoint: state.sqs,
      region: state.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // the emulator's queue URLs are on sqs.<region>.localhost, loopback by RFC 6761, which not
      // every resolver knows: *.localhost is looked up as 127.0.0.1 here (infra/local/fauxqs.ts)
      requestHandler: { httpAgent: new Agent({ lookup: loopbackForLocalhost }) },
    });
    name = resourceNames(catalog).queue;
    where = `local stack (${state.sqs})`;
  }
  const urlOf = async (queueName: string) => {
    try {
      return (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl ?? '';
    } catch (error) {
      throw new Stop(`admin: no queue ${queueName} in ${where}: ${(error as Error).name}`, 1);
    }
  };
  const queues = new SqsDeadLetterQueues(sqs, {
    moveTasks: values.stage !== undefined,
    resolve: async (id) => {
      const [url, dlqUrl] = await Promise.all([urlOf(name(id)), urlOf(`${name(id)}-dlq`)]);
      return { url, dlqUrl };
    },
  });
  return { sqs, queues, where };
}

/** dns.lookup, with every `*.localhost` name answered 127.0.0.1 */
const loopbackForLocalhost = ((hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
  if (!/(^|\.)localhost$/i.test(hostname)) return lookup(hostname, options, callback as never);
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as typeof lookup;

const preview = (body: string, max = 100) => {
  const line = body.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

async function runDlq(request: DlqRequest, values: Values, queues: SqsDeadLetterQueues, where: string): Promise<Output> {
  const { action, queue } = request;
  switch (action) {
    case 'list': {
      if (queue === undefined) {
        const all = await Promise.all(QUEUE_IDS.map((id) => queues.list(id, 0)));
        return {
          json: all.map(({ queue: q, depth, moveTasks }) => ({ queue: q, deadLetterQueue: `${q}-dlq`, depth, moveTasks })),
          text: [`Dead-letter queues in ${where}:`, ...all.map((d) => `  ${`${d.queue}-dlq`.padEnd(24)} ${d.depth} message${d.depth === 1 ? '' : 's'}`)],
        };
      }
      const summary = await queues.list(queue, Number(values.max ?? 10));
      return {
        json: { ...summary, deadLetterQueue: `${queue}-dlq` },
        text: [
          `${queue}-dlq in ${where}: ${summary.depth} message${summary.depth === 1 ? '' : 's'}${summary.messages.length < summary.depth ? `, ${summary.messages.length} shown` : ''}`,
          ...summary.messages.map((m) => `  ${m.messageId}  sent ${m.sentAt ?? '?'}  received ${m.receiveCount ?? '?'}×  ${m.bytes} B  ${preview(m.body)}`),
          ...summary.moveTasks.map((t) => `  move task ${t.status}${t.startedAt ? ` started ${t.startedAt}` : ''}: ${t.moved ?? 0}/${t.toMove ?? '?'} moved${t.failureReason ? `, ${t.failureReason}` : ''}`),
        ],
      };
    }
    case 'show': {
      const messageId = values['message-id']!;
      const message = await queues.show(queue!, messageId, Number(values.max ?? 1000));
      if (!message) throw new Stop(`admin: no message ${messageId} in ${queue}-dlq (${where})`, 1);
      let body = message.body;
      try {
        body = JSON.stringify(JSON.parse(message.body), null, 2);
      } catch {
        // not JSON: shown as it is
      }
      return {
        json: { queue, deadLetterQueue: `${queue}-dlq`, ...message },
        text: [
          `Message ${message.messageId} in ${queue}-dlq (${where})`,
          `  sent ${message.sentAt ?? '?'}, received ${message.receiveCount ?? '?'} times, ${message.bytes} bytes`,
          ...Object.entries(message.attributes).map(([k, v]) => `  attribute ${k}: ${v}`),
          body,
        ],
      };
    }
    case 'redrive': {
      const result = await queues.redrive(queue!);
      return {
        json: { queue, deadLetterQueue: `${queue}-dlq`, ...result },
        text: [
          result.kind === 'move-task'
            ? `Started an SQS message move task from ${queue}-dlq to ${queue} (${where}): ${result.taskHandle}. Follow it with: npm run admin -- dlq list ${queue} --stage ${values.stage}`
            : `Moved ${result.moved} message${result.moved === 1 ? '' : 's'} from ${queue}-dlq back to ${queue} (${where}).`,
        ],
      };
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const { command, values, dlq } = parseCommandLine(argv);
  if (!command) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'fdr-sync') {
    const org = required(values, 'org');
    if (!/^\d{11}$/.test(org)) throw usageError('--org must be an organization fiscal code (11 digits)');
    const { sqs, where } = deadLetterTarget(values);
    const queueName = values.stage ? `${catalog.service}-${values.stage}-reporting-flows` : resourceNames(catalog).queue('reporting-flows');
    try {
      const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl ?? '';
      // the contract of the queue: events/reporting-flow.ts
      const body = { kind: 'fdr-sync', organizationFiscalCode: org, requestedAt: new Date().toISOString(), requestedBy: 'admin' };
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(body) }));
      const output = { json: { queued: true, messageId: sent.MessageId, organizationFiscalCode: org }, text: [`Requested the acquisition of ${org}'s reporting flows (${where}): message ${sent.MessageId}`] };
      process.stdout.write(values.json ? `${JSON.stringify(output.json, null, 2)}\n` : output.text.map((line) => `${line}\n`).join(''));
      return 0;
    } catch (error) {
      const { name, message } = error as Error;
      throw new Stop(`admin: fdr-sync failed (${where}): ${name}: ${message}`, 1);
    } finally {
      sqs.destroy();
    }
  }
  if (dlq) {
    const { sqs, queues, where } = deadLetterTarget(values);
    try {
      const output = await runDlq(dlq, values, queues, where);
      process.stdout.write(values.json ? `${JSON.stringify(output.json, null, 2)}\n` : output.text.map((line) => `${line}\n`).join(''));
      return output.exitCode ?? 0;
    } catch (error) {
      if (error instanceof Stop) throw error;
      const { name, message } = error as Error;
      throw new Stop(`admin: dlq ${dlq.action} failed (${where}): ${name}: ${message}`, 1);
    } finally {
      sqs.destroy();
    }
  }
  const { client, table, where } = target(values);
  try {
    const output = await run(command as Exclude<Command, 'dlq' | 'fdr-sync'>, values, createDocumentClient(client), table, where);
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

/**
 * The admin CLI as an operator runs it: a child process (`scripts/admin.ts` under tsx's loader, as
 * `npm run admin --` runs it, without npm's and tsx's own wrapper processes), its
 * stdout, stderr and exit status. The commands that touch tenants run against DynamoDB Local
 * through the AWS path (`--table`, the SDK's endpoint variable), seeded as `npm start` seeds.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { seedOrganizations } from '../../infra/local/seed';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function admin(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/admin.ts', ...args],
      { cwd: REPO, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** one line, no stack trace */
/** each command is a fresh node process compiling the CLI: seconds apiece on a busy machine */
const SLOW = 120_000;

const oneLine = (text: string) => {
  expect(text.endsWith('\n')).toBe(true);
  expect(text.trimEnd().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /);
};

describe('admin CLI conventions (no stack needed)', () => {
  it('prints its help on stdout and exits 0, for the CLI and for a command', async () => {
    const [help, commandHelp] = await Promise.all([admin(['--help']), admin(['issue-key', '-h'])]);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toContain('Usage: npm run admin -- <command> [options]');
    for (const command of ['create-tenant', 'issue-key', 'revoke-key', 'list-keys', 'add-webhook-secret', 'revoke-webhook-secret', 'list-tenants', 'backfill', 'dlq']) {
      expect(help.stdout).toContain(command);
    }
    expect(help.stdout).toContain('--json');
    expect(commandHelp.code).toBe(0);
    expect(commandHelp.stdout).toBe(help.stdout);
  }, SLOW);

  it('refuses an unknown option, an unknown command and a missing value in one line, exit 2', async () => {
    const [option, command, value] = await Promise.all([
      admin(['list-tenants', '--frobnicate']),
      admin(['frobnicate']),
      admin(['list-keys', '--org']),
    ]);
    expect(option.code).toBe(2);
    expect(option.stdout).toBe('');
    expect(option.stderr).toBe('admin: unknown option --frobnicate (npm run admin -- --help)\n');
    expect(command.code).toBe(2);
    expect(command.stderr).toBe('admin: unknown command frobnicate (npm run admin -- --help)\n');
    expect(value.code).toBe(2);
    oneLine(value.stderr);
    expect(value.stderr).toContain('--org');
  }, SLOW);
});

describe('admin CLI on a table (DynamoDB Local)', () => {
  let cloud: LocalCloud;
  let dir: string;
  let target: string[];
  let env: Record<string, string>;
  const ESEMPIO = '80001234568';
  const NUOVO = '80016350821';

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, log: () => {} });
    await seedOrganizations(join(REPO, 'infra/local/seed.json'), cloud);
    target = ['--table', cloud.env['TABLE_NAME_MAIN']!];
    env = {
      AWS_ENDPOINT_URL_DYNAMODB: cloud.endpoints.dynamodb,
      AWS_REGION: cloud.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    dir = mkdtempSync(join(tmpdir(), 'admin-cli-'));
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await cloud?.stop();
  });

  it('lists the tenants as JSON for scripts, with no credential in it', async () => {
    const [run, text] = await Promise.all([admin(['list-tenants', '--json', ...target], env), admin(['list-tenants', ...target], env)]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const tenants = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(tenants.map((t) => t['fiscalCode']).sort()).toEqual(['80001234568', '80007654322']);
    expect(tenants.find((t) => t['fiscalCode'] === ESEMPIO)).toEqual({
      fiscalCode: ESEMPIO,
      name: 'Comune di Esempio',
      status: 'ACTIVE',
      segregationCode: '12',
      brokerId: '80001234568',
      stationId: '80001234568_01',
    });
    expect(run.stdout).not.toContain('demo-esempio');
    expect(text.stdout).toContain(`${ESEMPIO}  ACTIVE  seg 12  Comune di Esempio\n`);
  }, SLOW);

  it('creates a tenant from a file and manages its keys, in JSON', async () => {
    const file = join(dir, 'tenant.json');
    writeFileSync(
      file,
      JSON.stringify({
        fiscalCode: NUOVO,
        name: 'Comune di Nuovo',
        segregationCode: '56',
        brokerId: NUOVO,
        stationId: `${NUOVO}_01`,
        iban: 'IT78L0306909606100000117002',
      }),
    );
    const created = await admin(['create-tenant', '--file', file, '--json', ...target], env);
    expect(created.code).toBe(0);
    const tenant = JSON.parse(created.stdout) as { created: boolean; fiscalCode: string; apiKey: string; keyId: string };
    expect(tenant).toMatchObject({ created: true, fiscalCode: NUOVO });
    expect(tenant.apiKey).toMatch(/^plk_[A-Za-z0-9_-]{43}$/);
    expect(tenant.keyId).toMatch(/^[0-9a-f]{12}$/);

    const issued = JSON.parse((await admin(['issue-key', '--org', NUOVO, '--label', 'rotation', '--json', ...target], env)).stdout) as {
      keyId: string;
    };
    const keys = JSON.parse((await admin(['list-keys', '--org', NUOVO, '--json', ...target], env)).stdout) as Array<{ keyId: string; revokedAt?: string }>;
    expect(keys.map((k) => k.keyId).sort()).toEqual([tenant.keyId, issued.keyId].sort());
    expect(keys.every((k) => k.revokedAt === undefined)).toBe(true);

    const revoked = await admin(['revoke-key', '--org', NUOVO, '--key-id', tenant.keyId, '--json', ...target], env);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: true });
    const again = await admin(['revoke-key', '--org', NUOVO, '--key-id', 'ffffffffffff', '--json', ...target], env);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({ revoked: false });
  }, SLOW);

  it('refuses an invalid tenant file naming every field, and an unknown tenant, in one line, exit 1', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ fiscalCode: '80016350820', name: 'X', segregationCode: '99', brokerId: 'b', stationId: 's' }));
    const [invalid, unknown] = await Promise.all([
      admin(['create-tenant', '--file', file, ...target], env),
      admin(['add-webhook-secret', '--org', '80000000000', '--json', ...target], env),
    ]);
    expect(invalid.code).toBe(1);
    oneLine(invalid.stderr);
    expect(invalid.stderr).toContain(`${file}.fiscalCode`);
    expect(invalid.stderr).toContain(`${file}.segregationCode`);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe('admin: no organization 80000000000\n');
  }, SLOW);
  it('backfill gives old items the keys of newer access patterns, once: a second run finds nothing', async () => {
    const db = createDocumentClient(
      new DynamoDBClient({ region: cloud.region, endpoint: cloud.endpoints.dynamodb, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    const table = cloud.env['TABLE_NAME_MAIN']!;
    const key = { pk: `RCPT#${ESEMPIO}#01000000000000042`, sk: 'RECEIPT#old-receipt-1' };
    // a receipt as the store wrote it before the dossier's position key existed
    const stored = { organizationFiscalCode: ESEMPIO, iuv: '01000000000000042', nav: '301000000000000042', receiptId: 'old-receipt-1', state: 'APPLIED', iupd: 'OLD-IUPD-1', recordedAt: '2026-01-15T10:00:00.000Z' };
    await db.send(new PutCommand({ TableName: table, Item: { ...key, type: 'receipt', stored } }));
    const first = await admin(['backfill', '--json', ...target], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ positionsListed: 0, receiptsScanned: 1, receiptsUpdated: 1 });
    const item = (await db.send(new GetCommand({ TableName: table, Key: key }))).Item;
    expect(item).toMatchObject({ gsi3pk: `ORG#${ESEMPIO}#POS#OLD-IUPD-1#RECEIPTS`, gsi3sk: `2026-01-15T10:00:00.000Z#01000000000000042#old-receipt-1` });
    const again = await admin(['backfill', ...target], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('receipts given their position keys: 0 of 0 without them');
  }, SLOW);
});

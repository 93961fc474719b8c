/**
 * `npm start`: the whole layer on this machine. Starts the local cloud on PORT (default 3000),
 * seeds the tenants from SEED_FILE (default infra/local/seed.json), then lets requests through,
 * so GET /health answers 200 only when everything is ready. Ctrl+C stops it cleanly.
 *
 * Optional: LOCAL_DATA_DIR keeps DynamoDB Local's data between runs (default: in memory).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LocalCloud } from './cloud';
import { REPO_ROOT } from './lambda-runtime';
import { startLocalLayer } from './layer';
import { DEMO_PASSWORD } from './simulators/spid-idp';

function exampleBody(seedFile: string, organizationFiscalCode: string): string {
  let iban = 'IT60X0542811101000000123456';
  try {
    const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as { organizations?: Array<{ fiscalCode?: string; iban?: string }> };
    iban = seed.organizations?.find((o) => o.fiscalCode === organizationFiscalCode)?.iban ?? iban;
  } catch {
    // the banner is a convenience: keep the placeholder IBAN
  }
  const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  return JSON.stringify({
    iupd: `DEMO-${Date.now()}`,
    type: 'F',
    fiscalCode: 'RSSMRA80A01H501U',
    fullName: 'Mario Rossi',
    paymentOption: [
      {
        amount: 12050,
        description: 'TARI 2026 - rata unica',
        isPartialPayment: false,
        dueDate: due,
        transfer: [{ idTransfer: '1', amount: 12050, remittanceInformation: 'TARI 2026', category: '9/0101002IM/', iban }],
      },
    ],
  });
}

/** Where `npm run admin` finds the running stack (DynamoDB endpoint and table name). */
const LOCAL_STATE = resolve(process.env.LOCAL_STATE_FILE ?? resolve(REPO_ROOT, '.local-data/local-cloud.json'));

function writeLocalState(cloud: LocalCloud): void {
  mkdirSync(dirname(LOCAL_STATE), { recursive: true });
  writeFileSync(
    LOCAL_STATE,
    `${JSON.stringify({ url: cloud.url, dynamodb: cloud.endpoints.dynamodb, sqs: cloud.endpoints.sqs, table: cloud.env.TABLE_NAME_MAIN, region: cloud.region, pid: process.pid }, null, 2)}\n`,
  );
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got '${process.env.PORT}'`);
  const seedFile = resolve(process.env.SEED_FILE ?? resolve(REPO_ROOT, 'infra/local/seed.json'));
  const started = Date.now();

  let cloud: LocalCloud | undefined;
  let stopping = false;
  let firstSignalAt = 0;
  const shutdown = (signal: string) => {
    if (stopping) {
      // Ctrl+C reaches npm and this process alike, and npm forwards it too: a repeat within a
      // few seconds is the same request. Later, it means "now": still never leave java behind.
      if (Date.now() - firstSignalAt < 5_000) return;
      console.log(`${signal} again: exiting without waiting`);
      if (cloud) {
        try {
          process.kill(cloud.dynamoDbPid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      process.exit(1);
    }
    stopping = true;
    firstSignalAt = Date.now();
    console.log(`\n${signal}: stopping the local cloud…`);
    rmSync(LOCAL_STATE, { force: true });
    (cloud?.stop() ?? Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const layer = await startLocalLayer({
    port,
    seedFile,
    holdRequests: true,
    persistDir: process.env.LOCAL_DATA_DIR || undefined,
    outboxDir: process.env.EMAIL_OUTBOX_DIR || undefined,
    // the FdR simulator publishes today's receipts as reporting flows by itself (0: only `npm run fdr:close`)
    fdrAutoCloseSeconds: Number(process.env.FDR_AUTO_CLOSE_SECONDS ?? '300') || 0,
  });
  cloud = layer.cloud;
  if (stopping) return;
  const { io, seed: summary } = layer;
  cloud.markReady();
  writeLocalState(cloud);

  const demo = summary.organizations[0];
  const lines = [
    '',
    `Local cloud ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  API            ${cloud.url}`,
    `  health         ${cloud.url}/health`,
    `  OpenAPI        ${cloud.url}/openapi.json`,
    `  DynamoDB Local ${cloud.endpoints.dynamodb}   (table ${cloud.env.TABLE_NAME_MAIN})`,
    `  SQS + S3       ${cloud.endpoints.s3}   (fauxqs; e.g. aws --endpoint-url ${cloud.endpoints.s3} sqs list-queues)`,
    `  seeded from    ${seedFile}: ${summary.organizations.length} organization(s)`,
    `  App IO sim     ${cloud.url}/_sim/io/   (citizens' inboxes; IO_API_URL ${process.env.IO_API_URL})`,
    `  e-mail outbox  ${cloud.url}/_sim/mail/?format=html   (${io.outboxDir})`,
    `  FdR sim        ${process.env.FDR_API_URL}   (reporting flows; npm run fdr:close -- --date YYYY-MM-DD)`,
    `  OpenID sim     ${layer.oidc.issuer(cloud.url)}/.well-known/openid-configuration   (operators' sign-in, Cognito's stand-in)`,
    `  console        ${layer.consoleUrl}`,
    `  citizen        ${layer.counterUrl}   (sportello del cittadino: SPID/CIE through the test IdP at ${cloud.url}/_sim/spid)`,
    `  Checkout sim   ${process.env.CHECKOUT_API_URL}   (pagoPA Checkout's EC API; carts pay through the node simulator)`,
  ];
  if (layer.oidc.operators.length > 0) {
    lines.push('', `Console operatori (operator console): ${layer.consoleUrl}`, `  sign-in at the local OpenID provider ${layer.oidc.issuer(cloud.url)} with a demo operator from the seed:`);
    for (const op of layer.oidc.operators) {
      lines.push(`  ${op.username.padEnd(20)} ${op.password.padEnd(22)} ${op.role.padEnd(9)} ${op.organizations.join(', ')}`);
    }
  }
  if (layer.spid.citizens.length > 0) {
    lines.push('', `Sportello del cittadino (citizen's counter): ${layer.counterUrl}`, `  "Entra con SPID" or "Entra con CIE", then a demo citizen from the seed (password: ${DEMO_PASSWORD}):`);
    for (const c of layer.spid.citizens) lines.push(`  ${c.fiscalNumber}  ${c.name} ${c.familyName}`);
  }
  if (demo) {
    const key = demo.apiKeys[0] ?? '<no API key in the seed>';
    lines.push(
      '',
      `Demo tenant: ${demo.name}`,
      `  fiscal code  ${demo.fiscalCode}`,
      `  API key      ${key}   (local demo key from the seed file)`,
      '',
      'Create and publish a debt position:',
      `  curl -sS -X POST '${cloud.url}/organizations/${demo.fiscalCode}/debtpositions?toPublish=true' \\`,
      `    -H 'Ocp-Apim-Subscription-Key: ${key}' -H 'Content-Type: application/json' \\`,
      `    -d '${exampleBody(seedFile, demo.fiscalCode)}'`,
      '',
      'Administer tenants against this stack:  npm run admin -- list-tenants',
    );
  }
  lines.push('', 'Stop with Ctrl+C (SIGINT) or SIGTERM.', '');
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

/**
 * The composition root of the CONSOLE family: the console API (functions/console-api), the
 * operators' edge over the positions and notices use cases. It reuses the positions and notices
 * roots (the same stores, the same notice renderer) and adds the operator token verifier.
 *
 * Settings (the identity provider; set by `npm start` for the local OpenID provider, by the CDK
 * for Amazon Cognito):
 *   CONSOLE_OIDC_ISSUER    the `iss` of operator tokens
 *                          (Cognito: https://cognito-idp.<region>.amazonaws.com/<userPoolId>)
 *   CONSOLE_OIDC_AUDIENCE  the `aud` (or, for Cognito access tokens, `client_id`) they must carry
 *   CONSOLE_OIDC_JWKS_URL  the issuer's public keys; default <issuer>/.well-known/jwks.json
 *                          (Cognito's location; the local provider publishes them there too)
 * Without an issuer and an audience the console API is closed: every route answers 503 and
 * nothing is read (a deployment without sign-in configured never lets anyone in).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { DynamoPositionIndexes } from '../adapters/dynamo/position-index-queries';
import { PositionLists } from '../adapters/dynamo/position-listing';
import { DynamoReceiptStore } from '../adapters/dynamo/receipt-store';
import { DynamoMessageRecordStore } from '../adapters/dynamo/app-io-message-store';
import { DynamoTemplateStore } from '../adapters/dynamo/app-io-template-store';
import { DynamoSubscriberStore } from '../adapters/dynamo/subscriber-store';
import { readConfig } from '../config/env';
import type { ConsoleEdgeDeps } from '../http/console-edge';
import { makeConsoleAuthorizer, makeOperatorVerifier, remoteKeys, type ConsoleAuthorizer, type OperatorVerifier } from '../http/operator-auth';
import { HttpProblem } from '../http/problem';
import { uploadApiRoot } from './bulk-upload';
import { webhooksRoot } from './webhooks';
import { noticeArchiveDeps, noticeServingRoot } from './notices';
import { platform, sqsClient } from './platform';
import { catalog, envNameFor } from '../../infra/catalog';
import { SqsDeadLetterQueues } from '../adapters/dead-letter-queues';
import { positionsRoot } from './positions';
import { reconciliationQueriesRoot } from './reconciliation';

export const consoleConfigSchema = z.object({
  CONSOLE_OIDC_ISSUER: z.url().optional(),
  CONSOLE_OIDC_AUDIENCE: z.string().min(1).max(200).optional(),
  CONSOLE_OIDC_JWKS_URL: z.url().optional(),
});

export type ConsoleApi = ConsoleEdgeDeps & { readonly logger: Logger };

let built: { key: string; root: ConsoleApi } | undefined;

export function consoleApiRoot(env: NodeJS.ProcessEnv = process.env): ConsoleApi {
  const config = readConfig(consoleConfigSchema, env);
  const positions = positionsRoot(env);
  const notices = noticeServingRoot(env);
  const p = platform(env);
  const { organizations } = p;
  const key = JSON.stringify(config);
  if (built?.key === key && built.root.positions === positions.positions) return built.root;
  let verify: OperatorVerifier;
  let authorize: ConsoleAuthorizer;
  if (config.CONSOLE_OIDC_ISSUER && config.CONSOLE_OIDC_AUDIENCE) {
    const issuer = config.CONSOLE_OIDC_ISSUER;
    verify = makeOperatorVerifier({
      issuer,
      audience: config.CONSOLE_OIDC_AUDIENCE,
      keys: remoteKeys(config.CONSOLE_OIDC_JWKS_URL ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`),
    });
    authorize = makeConsoleAuthorizer({ verify, organizations });
  } else {
    positions.logger.error('console sign-in is not configured (CONSOLE_OIDC_ISSUER, CONSOLE_OIDC_AUDIENCE): the console API refuses every request');
    const closed = async (): Promise<never> => {
      throw new HttpProblem(503, 'Service Unavailable', 'operator sign-in is not configured for this deployment');
    };
    verify = closed;
    authorize = closed;
  }
  const root: ConsoleApi = {
    logger: positions.logger,
    positions: positions.positions,
    organizations,
    clock: positions.clock,
    newId: positions.newId,
    onCreated: positions.onCreated,
    paidOutside: positions.paidOutside,
    messages: new DynamoMessageRecordStore(p.db, p.tableName),
    notices: notices.notices,
    receipts: new DynamoReceiptStore(p.db, p.tableName),
    // the GPD upload routes' own deps (the uploads bucket, the split queue), without their tenant key check
    bulk: uploadApiRoot(env),
    debtorPositions: new DynamoPositionIndexes(p.db, p.tableName),
    debtorNames: new PositionLists(p.db, p.tableName),
    reconciliation: (({ store, treasury }) => ({ store, treasury }))(reconciliationQueriesRoot(env)),
    templates: new DynamoTemplateStore(p.db, p.tableName),
    // the registration's deps (its store has every method) and the redelivery's queue
    webhooks: (({ api, redelivery }) => ({ ...redelivery(), ...api }))(webhooksRoot(env)),
    // a position's deliveries (its detail) and an upload's notice batch (its screen): reads of the table
    positionDeliveries: new DynamoSubscriberStore(p.db, p.tableName),
    archives: noticeArchiveDeps(env),
    deadLetters: {
      queues: catalog.queues.map((q) => q.id),
      // the URLs the function's redrive grants set (QUEUE_URL_<ID>, QUEUE_URL_<ID>_DLQ), read when asked
      deadLetters: new SqsDeadLetterQueues(sqsClient(), {
        moveTasks: false,
        resolve: async (queue) => {
          const url = env[envNameFor('queue', queue)];
          const dlqUrl = env[envNameFor('queue', `${queue}-dlq`)];
          if (!url || !dlqUrl) throw new Error(`no URL for the queue ${queue} or its dead-letter queue: the console-api grants are missing`);
          return { url, dlqUrl };
        },
      }),
    },
    verify,
    authorize,
  };
  built = { key, root };
  return root;
}

/**
 * The composition root of the POSITIONS family: the back-office REST functions on debt positions
 * (create, get, list, update, delete, publish, invalidate, get-payment-option), GPD's operations
 * beyond one position (paids, the IBAN replacement, v2 bulk create/update/delete, /info), the
 * status clock (advance-position-statuses) and the repair of bulk calls a crash interrupted.
 * Composed once per process on `platform()`.
 *
 * The family's one setting of its own is STAGE (set by the CDK on every function; `local` on
 * this machine), the `environment` of GPD's /info; the rest (the table, the API key cache) is the
 * platform's, read and validated there.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { catalog } from '../../infra/catalog';
import pkg from '../../package.json';
import { DynamoGpdPositionWrites } from '../adapters/dynamo/gpd-position-writes';
import { readConfig } from '../config/env';
import type { TenantAuthenticator } from '../http/tenant-auth';
import type { BulkDeps } from '../use-cases/debt-positions/bulk';
import type { AppInfo } from '../use-cases/debt-positions/gpd/ports';
import type { MarkPaidDeps } from '../use-cases/debt-positions/mark-paid';
import type { CreatePositionDeps, PositionDeps } from '../use-cases/debt-positions/ports';
import type { ReplaceIbanDeps } from '../use-cases/debt-positions/replace-iban';
import type { ClockDeps } from '../use-cases/position-clock/advance-position-statuses';
import type { OrganizationStore } from '../use-cases/ports';
import { platform, type Platform } from './platform';

const positionsConfigSchema = z.object({ STAGE: z.string().min(1).max(40).default('local') });

/** What every REST handler of the family gets. */
export interface PositionsApi extends PositionDeps {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

/** The create route also reports each position created (the PositionCreated metric). */
export type CreatePositionApi = PositionsApi & CreatePositionDeps;

/** GPD's operations beyond one position: bulk calls, paids, the IBAN replacement, /info. */
export type GpdApi = PositionsApi & BulkDeps & MarkPaidDeps & ReplaceIbanDeps & { readonly appInfo: AppInfo };

/** The status clock. */
export interface StatusClock extends ClockDeps {
  readonly logger: Logger;
}

/** The repair of interrupted bulk calls (scheduled). */
export interface BulkRepair extends BulkDeps {
  readonly logger: Logger;
  readonly organizations: Pick<OrganizationStore, 'list'>;
}

export type PositionsRoot = CreatePositionApi & StatusClock & GpdApi & BulkRepair;

let built: { platform: Platform; root: PositionsRoot } | undefined;

export function positionsRoot(env: NodeJS.ProcessEnv = process.env): PositionsRoot {
  const p = platform(env);
  if (built?.platform === p) return built.root;
  const config = readConfig(positionsConfigSchema, env);
  const gpd = new DynamoGpdPositionWrites(p.db, p.tableName);
  const root: PositionsRoot = {
    logger: p.telemetry.logger,
    authenticate: p.authenticate,
    positions: p.positions,
    organizations: p.organizations,
    clock: p.clock,
    newId: p.newId,
    onCreated: () => p.telemetry.count('PositionCreated'),
    bulk: gpd,
    byIban: gpd,
    paidOutside: gpd,
    appInfo: { name: catalog.service, version: pkg.version, environment: config.STAGE },
  };
  built = { platform: p, root };
  return root;
}

/**
 * The outside world of citizen messages on one machine: the App IO simulator (mounted at
 * /_sim/io, its inbox page at /_sim/io/) seeded with the IO services of the seed's tenants and a
 * few demo citizens, and the local e-mail outbox listed at /_sim/mail (the .eml files the IO
 * sender writes under .local-data/outbox when IO is not possible).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createOutboxListener } from './email-outbox';
import { toIoSettings, ioSettingsInputSchema } from '../../shared/http/organization-schemas';
import { createAppIoSimulator, type AppIoSimulator } from './simulators/app-io';
import { REPO_ROOT } from './lambda-runtime';

/** Citizens who have App IO in the local world (the demo debtor of the README banner among them). */
export const DEMO_IO_CITIZENS = ['RSSMRA80A01H501U', 'RCCMNL83S18D969H', 'VRDGPP80A01H501U'] as const;

export interface LocalIo {
  readonly sim: AppIoSimulator;
  readonly outboxDir: string;
  readonly mounts: Array<{ prefix: string; listener: (req: IncomingMessage, res: ServerResponse) => void }>;
  /** the IO_API_URL of a gateway at `gatewayUrl` */
  apiUrl(gatewayUrl: string): string;
}

export function createLocalIo(options: { seedFile?: string; outboxDir?: string; citizens?: readonly string[]; simSeed?: number } = {}): LocalIo {
  const sim = createAppIoSimulator({ seed: options.simSeed ?? 1, pageBasePath: '/_sim/io' });
  const outboxDir = resolve(options.outboxDir ?? resolve(REPO_ROOT, '.local-data/outbox'));
  const seedFile = options.seedFile ?? resolve(REPO_ROOT, 'infra/local/seed.json');
  registerSeedServices(sim, seedFile);
  for (const fiscalCode of options.citizens ?? DEMO_IO_CITIZENS) sim.registerCitizen({ fiscalCode });
  return {
    sim,
    outboxDir,
    mounts: [
      { prefix: '/_sim/io', listener: sim.listener },
      { prefix: '/_sim/mail', listener: createOutboxListener(outboxDir) },
    ],
    apiUrl: (gatewayUrl) => `${gatewayUrl.replace(/\/+$/, '')}/_sim/io/api/v1`,
  };
}

/** Every IO service with a key in the seed file becomes a service of the simulator. */
export function registerSeedServices(sim: AppIoSimulator, seedFile: string): number {
  const raw = JSON.parse(readFileSync(seedFile, 'utf8')) as { organizations?: Array<{ name?: string; io?: unknown }> };
  let count = 0;
  for (const org of raw.organizations ?? []) {
    if (org.io === undefined) continue;
    const parsed = ioSettingsInputSchema.safeParse(org.io);
    if (!parsed.success) continue; // the seed step reports it with the field names
    for (const service of toIoSettings(parsed.data, org.name ?? '').services) {
      if (!service.apiKey) continue;
      sim.registerService({ serviceId: service.serviceId, apiKey: service.apiKey, name: service.name, ...(org.name ? { organizationName: org.name } : {}) });
      count++;
    }
  }
  return count;
}

/**
 * The demo citizens of the local test identity provider, from the seed file's top-level
 * `citizens` array: {"fiscalNumber", "name", "familyName", "email"?}. Local demo identities only:
 * on AWS the citizens are asserted by the real SPID and CIE identity providers.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { validateCodiceFiscale } from '../../../../shared/domain/fiscal-code';

export const seedCitizenSchema = z.strictObject({
  fiscalNumber: z.string().superRefine((value, ctx) => {
    const problem = validateCodiceFiscale(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  name: z.string().trim().min(1).max(100),
  familyName: z.string().trim().min(1).max(100),
  email: z.email().max(254).optional(),
});
export type SeedCitizen = z.infer<typeof seedCitizenSchema>;

/** The citizens of a seed file, validated; [] when it has none. */
export function readSeedCitizens(seedFile: string): SeedCitizen[] {
  const raw = JSON.parse(readFileSync(seedFile, 'utf8')) as { citizens?: unknown };
  if (raw.citizens === undefined) return [];
  const parsed = z.array(seedCitizenSchema).max(100).safeParse(raw.citizens);
  if (!parsed.success) {
    throw new Error(`${seedFile}: citizens: ${parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; ')}`);
  }
  const seen = new Set<string>();
  for (const [i, c] of parsed.data.entries()) {
    if (seen.has(c.fiscalNumber)) throw new Error(`${seedFile}: citizens[${i}]: the fiscalNumber appears twice`);
    seen.add(c.fiscalNumber);
  }
  return parsed.data;
}

/**
 * The console's operators of the local stack, from the seed file's `operators` array:
 *   {"username", "password", "name", "role": "admin"|"operator"|"viewer", "organizations": ["<fiscal code>", …]}
 * Every organization named must be one of the seed's organizations. Local demo accounts only: on
 * AWS operators are users of the Cognito user pool.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';

export const seedOperatorSchema = z.strictObject({
  username: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'must be 3..64 characters among a-z 0-9 . _ -, starting with a letter or digit'),
  password: z.string().min(8, 'must be at least 8 characters').max(128),
  name: z.string().trim().min(1).max(100),
  role: z.enum(['admin', 'operator', 'viewer']),
  organizations: z.array(z.string().regex(/^\d{11}$/, 'must be an 11-digit fiscal code')).min(1).max(100),
});
export type SeedOperator = z.infer<typeof seedOperatorSchema>;

/** The operators of a seed file, validated; [] when it has none. */
export function readSeedOperators(seedFile: string): SeedOperator[] {
  const raw = JSON.parse(readFileSync(seedFile, 'utf8')) as { operators?: unknown; organizations?: Array<{ fiscalCode?: unknown }> };
  if (raw.operators === undefined) return [];
  const parsed = z.array(seedOperatorSchema).safeParse(raw.operators);
  if (!parsed.success) {
    throw new Error(`${seedFile}: operators: ${parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; ')}`);
  }
  const known = new Set((raw.organizations ?? []).map((o) => o.fiscalCode));
  const seen = new Set<string>();
  for (const [i, op] of parsed.data.entries()) {
    if (seen.has(op.username)) throw new Error(`${seedFile}: operators[${i}]: the username ${op.username} appears twice`);
    seen.add(op.username);
    for (const fc of op.organizations) {
      if (!known.has(fc)) throw new Error(`${seedFile}: operators[${i}] (${op.username}): ${fc} is not an organization of the seed`);
    }
  }
  return parsed.data;
}

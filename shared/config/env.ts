/**
 * Configuration is read once per cold start from the environment and validated, so a missing or
 * malformed setting fails loudly at start with every problem listed, not at the first request.
 */
import * as z from 'zod';

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function readConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  return result.data;
}

/** Settings every function that touches the main table needs. */
export const tableConfigSchema = z.object({
  TABLE_NAME_MAIN: z.string().min(3, 'the main table name is required (TABLE_NAME_MAIN)'),
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
});

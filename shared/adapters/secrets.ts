/**
 * Secrets (the App IO subscription keys) read from AWS Secrets Manager, implementing the
 * SecretSource port of the App IO use cases; cached per warm Lambda for `ttlMs` so a burst of
 * messages costs one GetSecretValue per key, and a rotated key is picked up within the TTL.
 * A secret is either a plain string or JSON with an `apiKey` member.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretSource } from '../use-cases/app-io/ports';

export class SecretsManagerSource implements SecretSource {
  private readonly cache = new Map<string, { value: Promise<string>; until: number }>();

  constructor(
    private readonly client: Pick<SecretsManagerClient, 'send'>,
    private readonly options: { ttlMs: number; now?: () => number },
  ) {}

  get(name: string): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(name);
    if (cached && cached.until > now) return cached.value;
    const value = this.fetch(name);
    if (this.cache.size > 100) this.cache.clear();
    this.cache.set(name, { value, until: now + this.options.ttlMs });
    // a failed read is not cached: the next message asks again
    value.catch(() => this.cache.delete(name));
    return value;
  }

  private async fetch(name: string): Promise<string> {
    const result = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
    const text = result.SecretString ?? (result.SecretBinary ? Buffer.from(result.SecretBinary).toString('utf8') : undefined);
    if (text === undefined || text.trim() === '') throw new Error(`secret ${name} is empty`);
    return apiKeyFromSecret(text);
  }
}

/** `abc…` or `{"apiKey":"abc…"}` → the key. */
export function apiKeyFromSecret(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error('the secret looks like JSON but does not parse');
    }
    const key = (parsed as { apiKey?: unknown }).apiKey;
    if (typeof key !== 'string' || key === '') throw new Error('the JSON secret has no "apiKey" string');
    return key;
  }
  return trimmed;
}

/** The default secret name of an IO service's key: `<prefix>/<organization>/<serviceId>`. */
export function ioApiKeySecretName(prefix: string, organizationFiscalCode: string, serviceId: string): string {
  return `${prefix.replace(/\/+$/, '')}/${organizationFiscalCode}/${serviceId}`;
}

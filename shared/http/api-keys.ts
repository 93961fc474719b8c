/**
 * Tenant API keys (sent as `Ocp-Apim-Subscription-Key`, as GPD clients already do). Only the
 * SHA-256 of a key is stored; keys are 32 random bytes, so a plain hash is enough (no password
 * stretching needed for high-entropy secrets). The key id, shown in audit lines, is a prefix of
 * the hash: it identifies the key without revealing it.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_HEADER = 'ocp-apim-subscription-key';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyId(hash: string): string {
  return hash.slice(0, 12);
}

export function generateApiKey(): string {
  return `plk_${randomBytes(32).toString('base64url')}`;
}

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

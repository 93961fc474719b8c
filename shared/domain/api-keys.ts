/**
 * Tenant API keys and webhook secrets. Only the SHA-256 of an API key is stored; keys are 32
 * random bytes, so a plain hash is enough (no password stretching needed for high-entropy
 * secrets). The key id, shown in audit lines and key listings, is a prefix of the hash: it
 * identifies the key without revealing it. Webhook secrets get their id the same way.
 *
 * The generators take their random source (node:crypto's by default), like every rule here that
 * needs randomness.
 */
import { createHash, randomBytes } from 'node:crypto';

type RandomBytes = (size: number) => Uint8Array;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyId(hash: string): string {
  return hash.slice(0, 12);
}

/** The id of a webhook secret (a prefix of its hash, like a key id). */
export function webhookSecretId(secret: string): string {
  return apiKeyId(hashApiKey(secret));
}

export function generateApiKey(random: RandomBytes = randomBytes): string {
  return `plk_${Buffer.from(random(32)).toString('base64url')}`;
}

export function generateWebhookSecret(random: RandomBytes = randomBytes): string {
  return `whsec_${Buffer.from(random(32)).toString('base64url')}`;
}

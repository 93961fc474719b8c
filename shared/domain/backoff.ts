/**
 * The one retry delay of the layer: exponential backoff with "full jitter" (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"): after failed attempt n (1-based) a uniform whole number
 * of seconds in [0, min(max, base·2^(n−1))], never less than what the other side asked for
 * (HTTP Retry-After) nor than the policy's minimum, never more than its maximum.
 */
export interface BackoffPolicy {
  /** the ceiling after the first failed attempt */
  readonly baseSeconds: number;
  /** no delay is ever longer (an SQS visibility timeout is at most 12 h) */
  readonly maxSeconds: number;
  /** no delay is ever shorter (default 0) */
  readonly minSeconds?: number;
}

/** The ceiling of the delay after failed attempt `attempt` (1-based): min(max, base·2^(attempt−1)). */
export function backoffCeilingSeconds(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** exponent);
}

/** `random` returns [0, 1) like Math.random; `retryAfterSeconds` is the server's own wish. */
export function backoffDelaySeconds(attempt: number, policy: BackoffPolicy, random: () => number, retryAfterSeconds?: number): number {
  const ceiling = Math.floor(backoffCeilingSeconds(attempt, policy));
  const r = Math.min(Math.max(random(), 0), 0.999999999);
  const jittered = Math.floor(r * (ceiling + 1));
  const floor = Math.max(policy.minSeconds ?? 0, Math.ceil(retryAfterSeconds ?? 0));
  return Math.min(policy.maxSeconds, Math.max(jittered, floor));
}

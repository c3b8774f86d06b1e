import { createHmac } from 'node:crypto';
import { postJson, requireUrl } from '../http.js';
import type { NotifierFactory } from '../types.js';

/** HMAC-SHA256 of "TIMESTAMP.BODY" with the shared secret, hex: what X-Lookout-Signature carries after "sha256=". */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * Generic webhook: the payload as JSON, signed when a secret is set: X-Lookout-Timestamp (epoch ms) and
 * X-Lookout-Signature: sha256=HMAC_SHA256(secret, TIMESTAMP + "." + BODY). Receivers recompute and compare.
 */
export const webhookNotifier: NotifierFactory = (config) => {
  const url = requireUrl(config);
  const secret = typeof config['secret'] === 'string' ? config['secret'] : undefined;
  return async (p, timeoutMs, signal) => {
    const body = JSON.stringify(p);
    const ts = String(p.sentAt);
    const headers: Record<string, string> = { 'x-lookout-timestamp': ts, 'x-lookout-group': p.groupKey };
    if (secret) headers['x-lookout-signature'] = `sha256=${webhookSignature(secret, ts, body)}`;
    await postJson(url, body, headers, timeoutMs, signal);
  };
};

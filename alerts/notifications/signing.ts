import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the body's signature: `sha256=<hex HMAC-SHA256 of the raw body with the shared secret>`. */
export const SIGNATURE_HEADER = 'X-Hub-Signature-256';
/** Header carrying the attempt's time, epoch ms (hub clock); informational, not signed. */
export const TIMESTAMP_HEADER = 'X-Hub-Timestamp';
/** Header carrying the delivery id (also in the body): a receiver drops a delivery it already has. */
export const DELIVERY_HEADER = 'X-Hub-Delivery';

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What a receiver does: recompute over the raw body and compare in constant time. */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`, 'utf8');
  const given = Buffer.from(header, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

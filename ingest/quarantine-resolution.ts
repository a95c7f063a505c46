/**
 * Quarantined `unknown_device` input of a gateway, per Zigbee2MQTT friendly name, and marking it resolved
 * once the admin provisions that friendly name (pairing). The rows stay: resolved is a mark, the input
 * and its reason are kept until retention deletes them.
 */
import type { StatementSync } from 'node:sqlite';
import { parseTopic } from '../kernel/contract.ts';
import type { Db } from '../kernel/db.ts';
import { classifyGatewaySubtopic } from './gateway-topics.ts';

/** The friendly name a gateway topic is about (its state or its availability), or null. */
function friendlyNameOf(topic: string): string | null {
  const parsed = parseTopic(topic);
  if (parsed?.kind !== 'gateway') return null;
  const sub = classifyGatewaySubtopic(parsed.subtopic);
  return sub.kind === 'device' || sub.kind === 'availability' ? sub.friendlyName : null;
}

export class QuarantineResolution {
  readonly #unresolved: StatementSync;
  readonly #resolve: StatementSync;

  constructor(db: Db) {
    this.#unresolved = db.prepare(
      `SELECT id, topic FROM quarantine
       WHERE client_id = ? AND code = 'unknown_device' AND resolved_at IS NULL`,
    );
    this.#resolve = db.prepare('UPDATE quarantine SET resolved_at = ?, resolution = ? WHERE id = ?');
  }

  /** Unresolved unknown-device entries of a gateway, counted per friendly name. */
  unknownDevices(gatewayId: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const row of this.#unresolved.all(gatewayId)) {
      const name = friendlyNameOf(String(row.topic));
      if (name !== null) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  }

  /** Marks the gateway's unknown-device entries for `friendlyName` resolved; returns how many. */
  resolveUnknownDevice(gatewayId: string, friendlyName: string, at: number, resolution: string): number {
    let resolved = 0;
    for (const row of this.#unresolved.all(gatewayId)) {
      if (friendlyNameOf(String(row.topic)) !== friendlyName) continue;
      resolved += Number(this.#resolve.run(at, resolution, Number(row.id)).changes);
    }
    return resolved;
  }
}

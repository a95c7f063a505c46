import type { CanonicalMessage } from './canonical.ts';
import type { CommitLane } from './store/group-commit.ts';

/**
 * Events that may mean a person is in danger now (design.md "The promise"): a button's or a wristband's
 * SOS, a fall, a water leak. They take the urgent lane through intake: committed ahead of queued
 * telemetry, their rules evaluated first, their incident frames sent first. A speaker's voice SOS is an
 * `sos` event too; its `checkin_reply` with `help` joins this list when the speaker type lands.
 */
const LIFE_SAFETY_EVENTS: ReadonlySet<string> = new Set(['sos', 'fall', 'leak']);

export function isLifeSafety(m: CanonicalMessage): boolean {
  return m.event !== null && LIFE_SAFETY_EVENTS.has(m.event.name);
}

export function laneOf(messages: readonly CanonicalMessage[]): CommitLane {
  return messages.some(isLifeSafety) ? 'urgent' : 'normal';
}

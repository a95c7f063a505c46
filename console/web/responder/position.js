// Position updates while on the way: the browser's geolocation, sent for each job in state `dispatched`
// (POST /api/incidents/:id/position), at most once per THROTTLE_MS per job; the hub answers the ETA.
import { api, messageOf } from '../common/api.js';

/** @import { Eta } from '../api-types' */

/** Positions are sent at most this often per job (ms): enough for an ETA, light on the phone's battery. */
const THROTTLE_MS = 30_000;

export class PositionSharing {
  /**
   * @param {(incidentId: string, result: { eta: number } | { error: string }) => void} onResult the ETA
   *   in minutes the hub made of a position sent, or why it could not
   */
  constructor(onResult) {
    this.onResult = onResult;
    /** @type {number | null} */
    this.watchId = null;
    /** @type {string[]} jobs on the way */
    this.jobs = [];
    /** @type {Map<string, number>} job → browser time of the last position sent */
    this.sentAt = new Map();
  }

  /**
   * The jobs on the way and whether the user agreed to share: starts or stops watching.
   * @param {string[]} jobs incident ids @param {boolean} enabled
   */
  update(jobs, enabled) {
    this.jobs = jobs;
    const want = enabled && jobs.length > 0 && 'geolocation' in navigator;
    if (want && this.watchId === null) {
      this.watchId = navigator.geolocation.watchPosition(
        (p) => this.send(p.coords.latitude, p.coords.longitude),
        () => undefined, // refused or unavailable: the job goes on without an ETA
        { enableHighAccuracy: true, maximumAge: 10_000 },
      );
    } else if (!want && this.watchId !== null) {
      navigator.geolocation.clearWatch(this.watchId);
      this.watchId = null;
    }
  }

  /** @param {number} lat @param {number} lon */
  async send(lat, lon) {
    const now = Date.now();
    for (const id of this.jobs) {
      if (now - (this.sentAt.get(id) ?? 0) < THROTTLE_MS) continue;
      this.sentAt.set(id, now);
      try {
        /** @type {Eta} */
        const eta = await api('POST', `/api/incidents/${encodeURIComponent(id)}/position`, { lat, lon });
        this.onResult(id, { eta: eta.etaMinutes });
      } catch (err) {
        this.onResult(id, { error: messageOf(err) });
      }
    }
  }
}

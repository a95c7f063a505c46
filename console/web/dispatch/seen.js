// The alarm path's "shown": once the queue has put an incident on the screen, the page tells the hub
// (POST /api/incidents/{id}/seen), once per incident and page load; the hub keeps the first report of
// any dispatcher's page. A page in a hidden tab paints nothing, so it reports only once it is seen.
import { api } from '../common/api.js';

export class SeenReports {
  constructor() {
    /** @type {Set<string>} incidents reported (or being reported) by this page */
    this.reported = new Set();
  }

  /**
   * Reports the incidents just put on screen, after the browser painted them: the next animation frame
   * runs before that paint, a task queued from it after.
   * @param {Iterable<string>} ids
   */
  afterPaint(ids) {
    const fresh = [...ids].filter((id) => !this.reported.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) this.reported.add(id);
    requestAnimationFrame(() =>
      setTimeout(() => {
        for (const id of fresh) void this.report(id);
      }, 0),
    );
  }

  /** @param {string} id */
  async report(id) {
    try {
      await api('POST', `/api/incidents/${encodeURIComponent(id)}/seen`);
    } catch {
      this.reported.delete(id); // not told: the next reload of the queue reports it again
    }
  }
}

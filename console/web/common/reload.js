// Reloading a page's state from the API one at a time: a request while one runs makes exactly one more.

/**
 * @param {() => Promise<void>} reload
 * @param {(err: Error) => void} onError
 * @returns {() => void} schedules a reload
 */
export function serialReloader(reload, onError) {
  /** @type {Promise<void> | null} */
  let running = null;
  let again = false;
  const schedule = () => {
    if (running) {
      again = true;
      return;
    }
    running = reload()
      .catch(onError)
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          schedule();
        }
      });
  };
  return schedule;
}

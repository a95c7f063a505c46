/** Whether the embedded store answers (GET /healthz). */
export interface StoreHealth {
  /** Resolves when the store answers a trivial query; rejects with its error when it does not. */
  ping(): Promise<void>;
}

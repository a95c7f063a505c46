/** Coded errors: one catalog, used in logs and API answers. */
export const ERRORS = {
  HUB_ERR_CONFIG: { status: 500, message: 'invalid configuration' },
  HUB_ERR_VALIDATION: { status: 400, message: 'invalid request' },
  HUB_ERR_UNAUTHENTICATED: { status: 401, message: 'login required' },
  HUB_ERR_BAD_CREDENTIALS: { status: 401, message: 'wrong user name or password' },
  HUB_ERR_FORBIDDEN: { status: 403, message: 'not allowed for this role' },
  HUB_ERR_FOREIGN_ORIGIN: {
    status: 403,
    message: "a state-changing request must come from the hub's own pages (or an allowed origin)",
  },
  HUB_ERR_NOT_FOUND: { status: 404, message: 'not found' },
  HUB_ERR_DEVICE_UNKNOWN: { status: 404, message: 'unknown device' },
  HUB_ERR_HOUSEHOLD_UNKNOWN: { status: 404, message: 'unknown household' },
  HUB_ERR_CONFLICT: { status: 409, message: 'already exists or still in use' },
  /** an incident action its current state does not allow (or another dispatcher was first) */
  HUB_ERR_INCIDENT_STATE: { status: 409, message: "not allowed in the incident's current state" },
  HUB_ERR_IMPORT_INVALID: { status: 422, message: 'import file has bad rows; nothing was imported' },
  HUB_ERR_IMPORT_RUNNING: {
    status: 409,
    message: 'another import is running; try again when it has finished',
  },
  /** an import job action its state does not allow (cancel after the commit, secrets before it) */
  HUB_ERR_IMPORT_STATE: { status: 409, message: "not allowed in the import job's current state" },
  HUB_ERR_SECRETS_GONE: { status: 410, message: 'the secrets of this import were taken or have expired' },
  HUB_ERR_RATE_LIMITED: { status: 429, message: 'too many requests' },
  HUB_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'request body too large' },
  HUB_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'unsupported content type' },
  HUB_ERR_INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class HubError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERRORS[code].message);
    this.name = 'HubError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}

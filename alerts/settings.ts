/**
 * Thresholds and hours of the detection rules, one typed object with the defaults: the hub-wide
 * defaults. Per household and per resident they are overridden (settings-schema.ts says which keys and
 * their ranges; settings-overrides.ts stores and resolves them; the rules read `ctx.settingsFor`).
 */

const MIN = 60_000;
const HOUR = 60 * MIN;

/** An interval of local hours, [start, end); may wrap past midnight (night: 22 → 6). */
export interface HourRange {
  /** 0–23 */
  startHour: number;
  /** 0–24 */
  endHour: number;
}

export interface AlertSettings {
  /** Local time of the homes, minutes east of UTC (China Standard Time: +480). */
  utcOffsetMinutes: number;
  /** When residents are normally up: inactivity and "removed" rules alarm only inside these hours. */
  activeHours: HourRange;
  /** Night, for the wandering rule. */
  nightHours: HourRange;
  /** A button `cancel` within this long of its `sos` marks the SOS "cancelled by resident", ms. */
  sosCancelWindowMs: number;
  /** Wristband fall confidence at or above this is a fall (critical), below a possible fall (high). */
  fallConfidence: number;
  /** No motion anywhere this long after a fall raises the fall's severity, ms. */
  fallStillMs: number;
  /** Last movement in the bathroom and none elsewhere this long, ms. */
  bathroomStillMs: number;
  /** No movement anywhere this long (absolute fallback before baselines), ms. */
  noMovementMs: number;
  /** Wristband `removed` this long, ms. */
  wristbandRemovedMs: number;
  /** Water flow at or above this, litres per minute, counts as flowing. */
  continuousFlowLpm: number;
  /** Flowing this long without a reading below `continuousFlowLpm`, ms. */
  continuousFlowMs: number;
  /** Heart rate below this, bpm, is abnormal. */
  heartRateLow: number;
  /** Heart rate above this, bpm, is abnormal. */
  heartRateHigh: number;
  /** SpO₂ below this, per cent, is abnormal. */
  spo2Low: number;
  /** Consecutive abnormal vital readings before the alarm. */
  vitalsSustainedReadings: number;
  /** Battery below this, per cent. */
  batteryLowPercent: number;
  /** The home geofence: a wristband position farther than this from households.location is away, metres. */
  geofenceRadiusM: number;
  /** Wristband positions outside the geofence this long mark the household away (suppression), ms. */
  awayByPositionMs: number;
  /** No water use this long (absolute fallback before baselines), alarmed inside active hours, ms. */
  noWaterUseMs: number;
  /** Daily water use above this many times the resident's usual is excessive. */
  excessiveUseFactor: number;
  /** Days of hourly aggregates a baseline is computed from. */
  baselineWindowDays: number;
  /** Days with data a baseline needs before the rules use it (absolute fallbacks before). */
  baselineMinDays: number;
  /** Baselines are recomputed on this node-cron schedule (local time of the hub process). */
  baselineCron: string;
}

export const DEFAULT_ALERT_SETTINGS: Readonly<AlertSettings> = Object.freeze({
  utcOffsetMinutes: 8 * 60,
  activeHours: { startHour: 7, endHour: 22 },
  nightHours: { startHour: 22, endHour: 6 },
  sosCancelWindowMs: 30_000,
  fallConfidence: 0.6,
  fallStillMs: 5 * MIN,
  bathroomStillMs: 45 * MIN,
  noMovementMs: 12 * HOUR,
  wristbandRemovedMs: 2 * HOUR,
  continuousFlowLpm: 0.5,
  continuousFlowMs: 2 * HOUR,
  heartRateLow: 40,
  heartRateHigh: 130,
  spo2Low: 90,
  vitalsSustainedReadings: 3,
  batteryLowPercent: 20,
  geofenceRadiusM: 200,
  awayByPositionMs: 30 * MIN,
  noWaterUseMs: 12 * HOUR,
  excessiveUseFactor: 3,
  baselineWindowDays: 14,
  baselineMinDays: 7,
  baselineCron: '15 3 * * *',
});

export function alertSettings(overrides: Partial<AlertSettings> = {}): AlertSettings {
  return { ...DEFAULT_ALERT_SETTINGS, ...overrides };
}

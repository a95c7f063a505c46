import { type Static, Type as T, type TSchema } from '@sinclair/typebox';
import type { AlertSettings } from './settings.ts';

/**
 * The settings a household or resident may override (issue 5: "every threshold configurable per
 * household or resident"): every threshold, the active/night hours and the geofence radius. Hub-wide only:
 * the homes' UTC offset (the rule timers and baselines share one local clock) and the baseline window,
 * minimum days and cron (one nightly job for all residents).
 */
export type OverridableKey = Exclude<
  keyof AlertSettings,
  'utcOffsetMinutes' | 'baselineWindowDays' | 'baselineMinDays' | 'baselineCron'
>;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A duration in ms, between `min` and `max` (sane bounds: a typo of 45 instead of 2 700 000 is refused). */
const Ms = (min: number, max: number, description: string) =>
  T.Integer({ minimum: min, maximum: max, description: `${description}, ms` });

const Hours = (description: string) =>
  T.Object(
    {
      startHour: T.Integer({ minimum: 0, maximum: 23 }),
      endHour: T.Integer({ minimum: 0, maximum: 24 }),
    },
    {
      additionalProperties: false,
      description: `${description}, local hours [start, end), may wrap midnight`,
    },
  );

/**
 * One schema per overridable key, with its range. `satisfies` keeps it in step with AlertSettings: a new
 * threshold there that is not hub-wide fails to compile until it has a range here.
 */
const FIELDS = {
  activeHours: Hours('when residents are normally up'),
  nightHours: Hours('night, for the wandering rule'),
  sosCancelWindowMs: Ms(1_000, 10 * MIN, 'a button cancel within this long of its sos'),
  fallConfidence: T.Number({ minimum: 0, maximum: 1, description: 'fall confidence at or above: a fall' }),
  fallStillMs: Ms(MIN, 2 * HOUR, 'no motion this long after a fall raises its severity'),
  bathroomStillMs: Ms(5 * MIN, 6 * HOUR, 'last movement in the bathroom and none elsewhere'),
  noMovementMs: Ms(HOUR, 2 * DAY, 'no movement anywhere'),
  wristbandRemovedMs: Ms(5 * MIN, DAY, 'wristband removed'),
  continuousFlowLpm: T.Number({ exclusiveMinimum: 0, maximum: 100, description: 'flowing, L/min' }),
  continuousFlowMs: Ms(5 * MIN, DAY, 'continuous flow'),
  heartRateLow: T.Integer({ minimum: 20, maximum: 100, description: 'heart rate below: abnormal, bpm' }),
  heartRateHigh: T.Integer({ minimum: 60, maximum: 250, description: 'heart rate above: abnormal, bpm' }),
  spo2Low: T.Integer({ minimum: 50, maximum: 100, description: 'SpO₂ below: abnormal, %' }),
  vitalsSustainedReadings: T.Integer({
    minimum: 1,
    maximum: 20,
    description: 'consecutive abnormal readings',
  }),
  batteryLowPercent: T.Integer({ minimum: 1, maximum: 99, description: 'battery below, %' }),
  geofenceRadiusM: T.Number({ minimum: 20, maximum: 50_000, description: 'home geofence radius, m' }),
  awayByPositionMs: Ms(5 * MIN, DAY, 'positions outside the geofence before away'),
  noWaterUseMs: Ms(HOUR, 2 * DAY, 'no water use'),
  excessiveUseFactor: T.Number({ minimum: 1.5, maximum: 20, description: 'daily use above × usual' }),
} satisfies Record<OverridableKey, TSchema>;

/** Partial settings of a household or resident: every key optional, an unknown key refused. */
export const AlertSettingsOverrides = T.Partial(T.Object(FIELDS, { additionalProperties: false }), {
  additionalProperties: false,
});
export type AlertSettingsOverrides = Static<typeof AlertSettingsOverrides>;

export const OVERRIDABLE_KEYS = Object.keys(FIELDS) as OverridableKey[];

/** The whole settings object (defaults, effective), for answers. */
export const AlertSettingsSchema = T.Object({
  ...FIELDS,
  utcOffsetMinutes: T.Integer({ description: 'local time of the homes, minutes east of UTC (hub-wide)' }),
  baselineWindowDays: T.Integer({ description: 'hub-wide' }),
  baselineMinDays: T.Integer({ description: 'hub-wide' }),
  baselineCron: T.String({ description: 'hub-wide' }),
});

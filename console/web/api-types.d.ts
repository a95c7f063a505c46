/**
 * The API's shapes for the browser code, from the TypeBox schemas the server validates and serializes
 * with (console/schemas.ts, console/views/schemas.ts, console/response-schemas.ts) and the live channel's
 * frames (console/live/protocol.ts). Types only: nothing here reaches the browser, and the JavaScript
 * files use them with `@import` in JSDoc (see README "Type-checked browser code").
 */
import type { Static } from '@sinclair/typebox';
import type { EventFrame, HelloFrame } from '../live/protocol.ts';
import type * as R from '../response-schemas.ts';
import type * as S from '../schemas.ts';
import type * as V from '../views/schemas.ts';

export type { EventFrame, HelloFrame };

export type Household = Static<typeof S.Household>;
export type HouseholdDetail = Static<typeof S.HouseholdDetail>;
export type Resident = Static<typeof S.Resident>;
export type Contact = Static<typeof S.Contact>;
export type Device = Static<typeof S.Device>;
export type Gateway = Static<typeof S.Gateway>;
export type User = Static<typeof S.User>;
export type Responder = Static<typeof S.Responder>;
export type Station = Static<typeof S.Station>;
export type Role = Static<typeof S.RoleSchema>;
export type ErrorBody = Static<typeof S.ErrorBody>;

export type DeviceState = Static<typeof V.DeviceStateSchema>;
export type ResidentView = Static<typeof V.ResidentViewSchema>;
export type StageProgress = Static<typeof V.StageProgressSchema>;
export type IncidentSummary = Static<typeof V.IncidentSummarySchema>;
export type AwayStatus = Static<typeof V.AwayStatusSchema>;
export type HouseholdStatus = Static<typeof V.HouseholdStatusSchema>;
export type IncidentContext = Static<typeof V.IncidentContextSchema>;

export type Incident = Static<typeof R.IncidentSchema>;
export type IncidentState = Incident['state'];
export type TimelineEntry = Static<typeof R.TimelineSchema>;
export type IncidentDetail = Static<typeof R.IncidentDetailSchema>;
export type Suggestion = Static<typeof R.SuggestionSchema>;
export type Eta = Static<typeof R.EtaSchema>;
export type SlaReport = Static<typeof R.SlaReportSchema>;
export type Fleet = Static<typeof R.FleetSchema>;
export type ActivityAnswer = Static<typeof R.ActivityAnswer>;
export type WaterAnswer = Static<typeof R.WaterAnswer>;
export type VitalsAnswer = Static<typeof R.VitalsAnswer>;
export type RhythmAnswer = Static<typeof R.RhythmAnswer>;
export type PendingZigbeeDevice = Static<typeof R.PendingZigbeeDevice>;
export type ZigbeeProvisioned = Static<typeof R.ZigbeeProvisioned>;
export type DeviceCreated = Static<typeof R.DeviceCreated>;
export type GatewayCreated = Static<typeof R.GatewayCreated>;
export type ImportReport = Static<typeof R.ImportReport>;
export type ImportJob = Static<typeof R.ImportJob>;
export type SessionUser = Static<typeof R.SessionUser>;
export type LoginReply = Static<typeof R.LoginReply>;
export type MeReply = Static<typeof R.MeReply>;

/** A bilingual text of the hub ({ zh, en }): explanations, notifications. */
export type Bilingual = Incident['explanation'];

/**
 * The payloads of the live events the pages read (alerts/incidents/events.ts IncidentEvents and the
 * family projection in console/live/allowlist.ts; the frame's `data` is `unknown` on the wire). The
 * incident in them is the summary of views/schemas.ts IncidentSummarySchema, or less for a family.
 */
export interface LiveEventData {
  incident?: IncidentSummary;
  /** incidentEscalated: the ladder's step */
  step?: string;
  /** alarm events */
  alarm?: { householdId: string };
  /** householdChanged, notification */
  householdId?: string;
  /** notification */
  text?: Bilingual;
}

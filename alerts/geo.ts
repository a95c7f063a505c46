import type { CanonicalMessage } from '../ingest/canonical.ts';
import type { Registry } from '../kernel/registry/index.ts';

/** Mean Earth radius, metres (IUGG). */
const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

export interface Position {
  lat: number;
  lon: number;
  /** metres; 0 when the device sent none */
  accuracy: number;
}

/** Great-circle distance between two WGS84 points, metres (haversine). */
export function haversineM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The position a wristband telemetry message carries, or null. */
export function positionOf(m: CanonicalMessage): Position | null {
  if (m.deviceType !== 'wristband' || m.channel !== 'telemetry') return null;
  const r = m.readings;
  if (r?.lat === undefined || r.lon === undefined) return null;
  return { lat: r.lat, lon: r.lon, accuracy: r.accuracy ?? 0 };
}

export interface GeofenceCheck {
  /** metres from households.location, rounded */
  distanceM: number;
  /** farther than the radius even at the near edge of the fix's accuracy (GPS jitter is not leaving) */
  outside: boolean;
  /** inside the radius even at the far edge of the accuracy */
  inside: boolean;
}

/** Where a position is relative to the household's geofence; null when the household has no location. */
export async function checkGeofence(
  registry: Registry,
  householdId: string,
  p: Position,
  radiusM: number,
): Promise<GeofenceCheck | null> {
  const home = (await registry.households.get(householdId))?.location;
  if (!home) return null;
  const d = haversineM(home, p);
  return { distanceM: Math.round(d), outside: d - p.accuracy > radiusM, inside: d + p.accuracy <= radiusM };
}

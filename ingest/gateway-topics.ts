/**
 * What a gateway's publish under `eldercare/v1/gw/{gatewayId}/` is, from the rest of its topic
 * (ParsedTopic.subtopic). Zigbee2MQTT uses its base topic for device state and for its own bridge
 * topics; friendly names may themselves contain `/`.
 */
export type GatewaySubtopic =
  /** `bridge/state`: the gateway's own status (decodeBridgeState). */
  | { kind: 'bridge_state' }
  /** Any other `bridge/…` topic (info, devices, logging, event, response/…): gateway housekeeping. */
  | { kind: 'bridge'; name: string }
  /** `{friendlyName}/availability`: a Zigbee device's availability (decodeZigbeeAvailability). */
  | { kind: 'availability'; friendlyName: string }
  /** `{friendlyName}/set` or `/get`: a request to Zigbee2MQTT, not device state. */
  | { kind: 'request'; friendlyName: string; verb: 'set' | 'get' }
  /** `{friendlyName}`: device state (decodeZigbee). */
  | { kind: 'device'; friendlyName: string }
  /** Empty or malformed (an empty level). */
  | { kind: 'invalid' };

const SUFFIXES = ['availability', 'set', 'get'] as const;

export function classifyGatewaySubtopic(subtopic: string): GatewaySubtopic {
  if (subtopic === '' || subtopic.split('/').some((level) => level === '')) return { kind: 'invalid' };
  if (subtopic === 'bridge/state') return { kind: 'bridge_state' };
  if (subtopic.startsWith('bridge/')) return { kind: 'bridge', name: subtopic.slice('bridge/'.length) };
  const cut = subtopic.lastIndexOf('/');
  if (cut > 0) {
    const friendlyName = subtopic.slice(0, cut);
    const last = subtopic.slice(cut + 1);
    for (const suffix of SUFFIXES) {
      if (last !== suffix) continue;
      return suffix === 'availability'
        ? { kind: 'availability', friendlyName }
        : { kind: 'request', friendlyName, verb: suffix };
    }
  }
  return { kind: 'device', friendlyName: subtopic };
}

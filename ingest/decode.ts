/**
 * The ingest room's decoding layer in one import: bytes from a device or gateway in, CanonicalMessage
 * (or a coded rejection, device-protocol.md Bad input) out. Pure functions; the intake does the I/O.
 */
export type {
  CanonicalEvent,
  CanonicalMessage,
  Channel,
  DecodeErrorCode,
  DecodeFailure,
  DecodeResult,
  ReadingName,
  Readings,
} from './canonical.ts';
export { decodeNative } from './decode-native.ts';
export {
  type DeviceLookup,
  decodeBridgeState,
  decodeZigbee,
  decodeZigbeeAvailability,
  type GatewayRef,
} from './decode-zigbee.ts';
export { parseDeviceTime } from './device-time.ts';
export { classifyGatewaySubtopic, type GatewaySubtopic } from './gateway-topics.ts';
export { allowedEvents, DEFAULT_BUTTON_ACTIONS, EVENTS_BY_TYPE } from './schemas.ts';

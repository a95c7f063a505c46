import { describe, expect, it } from 'vitest';
import { decodeBridgeDevices, decodeBridgeEvent } from '../ingest/zigbee-bridge-messages.ts';
import { AQARA_LEAK, COORDINATOR, listed, TUYA_SOS_BUTTON } from './fixtures/zigbee2mqtt.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
const IEEE = '0x00158D0001A2B3C4';

describe("Zigbee2MQTT's bridge/devices and bridge/event (pairing)", () => {
  it('reads the network list: the coordinator left out, addresses in lower case, the type its features suggest', () => {
    const update = decodeBridgeDevices(json([COORDINATOR, listed(IEEE, 'bath_leak', AQARA_LEAK)]));
    expect(update).toEqual({
      kind: 'list',
      skipped: 0,
      devices: [
        {
          ieeeAddress: '0x00158d0001a2b3c4',
          friendlyName: 'bath_leak',
          model: 'SJCGQ11LM',
          vendor: 'Aqara',
          description: 'Water leak sensor',
          suggestedType: 'leak',
          interview: 'successful',
        },
      ],
    });
  });

  it('finds features nested in composite exposes, and knows nothing of a device without a definition', () => {
    const remote = {
      model: 'E1524/E1810',
      vendor: 'IKEA',
      exposes: [{ type: 'composite', name: 'remote', features: [{ type: 'enum', property: 'action' }] }],
    };
    const joined = { ...listed('0x000d6ffffe112233', 'remote', remote), interview_completed: false };
    const bare = { ...listed('0x000d6ffffe445566', 'new_one', AQARA_LEAK), definition: null };
    const update = decodeBridgeDevices(json([joined, bare]));
    expect(
      update.kind === 'list' && update.devices.map((d) => [d.suggestedType, d.interview, d.model]),
    ).toEqual([
      ['button', null, 'E1524/E1810'],
      [null, 'successful', null],
    ]);
  });

  it('skips entries it cannot address: no IEEE address, a wildcard or the bridge in the name', () => {
    const update = decodeBridgeDevices(
      json([
        listed('0x1234', 'short_ieee', AQARA_LEAK),
        listed(IEEE, 'a+b', AQARA_LEAK),
        listed(IEEE, 'bridge', AQARA_LEAK),
        listed(IEEE, '', AQARA_LEAK),
        'not an object',
        listed('0x00158d0001a2b3c5', 'ok', AQARA_LEAK),
      ]),
    );
    expect(update.kind === 'list' && [update.skipped, update.devices.map((d) => d.friendlyName)]).toEqual([
      5,
      ['ok'],
    ]);
  });

  it('reads device_joined, device_interview and device_leave; other events are ignored', () => {
    expect(
      decodeBridgeEvent(json({ type: 'device_joined', data: { friendly_name: IEEE, ieee_address: IEEE } })),
    ).toMatchObject({ kind: 'seen', device: { friendlyName: IEEE, model: null, interview: null } });
    expect(
      decodeBridgeEvent(
        json({
          type: 'device_interview',
          data: {
            friendly_name: IEEE,
            ieee_address: IEEE,
            status: 'successful',
            definition: TUYA_SOS_BUTTON,
          },
        }),
      ),
    ).toMatchObject({
      kind: 'seen',
      device: { vendor: 'Tuya', suggestedType: 'button', interview: 'successful' },
    });
    expect(decodeBridgeEvent(json({ type: 'device_leave', data: { ieee_address: IEEE } }))).toEqual({
      kind: 'left',
      ieeeAddress: IEEE.toLowerCase(),
    });
    expect(decodeBridgeEvent(json({ type: 'device_announce', data: { ieee_address: IEEE } }))).toEqual({
      kind: 'ignored',
      type: 'device_announce',
    });
  });

  it.each([
    ['bridge/devices', '{"not":"a list"}', decodeBridgeDevices, 'bridge/devices: not a JSON array'],
    ['bridge/devices', '[', decodeBridgeDevices, 'bridge/devices: not JSON'],
    [
      'bridge/event',
      '{"type":"device_joined"}',
      decodeBridgeEvent,
      'bridge/event: must be {"type":…,"data":{…}}',
    ],
    [
      'bridge/event',
      '{"type":"device_leave","data":{}}',
      decodeBridgeEvent,
      'bridge/event device_leave: no usable ieee_address',
    ],
  ])('%s %s is invalid', (_topic, payload, decode, detail) => {
    expect(decode(Buffer.from(payload))).toEqual({ kind: 'invalid', detail });
  });
});

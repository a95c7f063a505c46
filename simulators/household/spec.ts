import type { DeviceType, Room } from '../../kernel/contract.ts';

/** The motion sensors of a simulated home, one per room. */
export const HOME_ROOMS = ['bedroom', 'bathroom', 'kitchen', 'living'] as const satisfies readonly Room[];
export type HomeRoom = (typeof HOME_ROOMS)[number];

export interface ZigbeeDeviceSpec {
  friendlyName: string;
  id: string;
  type: DeviceType;
  room: HomeRoom;
}

/**
 * One simulated household: its ids (deterministic from the index), the resident and the devices. With a
 * gateway, the living-room motion sensor and a second leak sensor are Zigbee devices behind it.
 */
export interface HouseholdSpec {
  index: number;
  id: string;
  grid: string;
  address: string;
  /** WGS84 degrees: the home, centre of the geofence */
  location: { lat: number; lon: number };
  resident: { id: string; name: string; birthYear: number; careNotes: string[] };
  button: string;
  wristband: string;
  /** motion sensors that connect themselves, per room */
  motion: Partial<Record<HomeRoom, string>>;
  leak: string;
  meter: string;
  gateway: { id: string; devices: ZigbeeDeviceSpec[] } | null;
}

export interface SpecOptions {
  /** a Zigbee2MQTT gateway with a motion sensor (living room) and a leak sensor (bathroom) */
  gateway?: boolean;
  /** the resident has the `wandering-risk` care note (the night-time wandering rule watches them) */
  wanderingRisk?: boolean;
  /** id prefix, so several runs can share one hub: hh-{prefix}0001 */
  prefix?: string;
}

const NAMES = [
  '王秀英',
  '李桂兰',
  '张淑珍',
  '刘玉兰',
  '陈秀珍',
  '杨凤英',
  '赵桂英',
  '黄玉珍',
  '周秀兰',
  '吴淑英',
];
/** 汶上县 (Wenshang county, Shandong): homes spread over a few kilometres around it. */
const COUNTY = { lat: 35.7312, lon: 116.489 };

/** The household of index `i` (1-based): ids like hh-0001, btn-0001, pir-0001-bathroom. */
export function householdSpec(i: number, opts: SpecOptions = {}): HouseholdSpec {
  const n = `${opts.prefix ?? ''}${String(i).padStart(4, '0')}`;
  const motion: Partial<Record<HomeRoom, string>> = {};
  for (const room of HOME_ROOMS) {
    if (opts.gateway && room === 'living') continue;
    motion[room] = `pir-${n}-${room}`;
  }
  return {
    index: i,
    id: `hh-${n}`,
    grid: `grid-${String(1 + (i % 4)).padStart(2, '0')}`,
    address: `汶上县中都街道 幸福路 ${i}号`,
    // about 150 m apart along a diagonal: every home has its own geofence
    location: { lat: COUNTY.lat + i * 0.001, lon: COUNTY.lon + i * 0.001 },
    resident: {
      id: `res-${n}`,
      name: NAMES[i % NAMES.length] ?? '王秀英',
      birthYear: 1935 + (i % 15),
      careNotes: opts.wanderingRisk ? ['wandering-risk'] : [],
    },
    button: `btn-${n}`,
    wristband: `wb-${n}`,
    motion,
    leak: `leak-${n}`,
    meter: `wm-${n}`,
    gateway: opts.gateway
      ? {
          id: `gw-${n}`,
          devices: [
            { friendlyName: 'living_motion', id: `z-pir-${n}-living`, type: 'motion', room: 'living' },
            { friendlyName: 'bathroom_leak', id: `z-leak-${n}-bathroom`, type: 'leak', room: 'bathroom' },
          ],
        }
      : null,
  };
}

const DEMO_RELATIONS = ['儿子', 'daughter', '女儿', 'son'] as const;

/** The household as a provisioning document entry (../shared/docs/provisioning.md, JSON). */
export function provisioningEntry(s: HouseholdSpec): Record<string, unknown> {
  const devices: Array<Record<string, unknown>> = [
    { id: s.button, type: 'button' },
    { id: s.wristband, type: 'wristband', resident: s.resident.id },
    ...Object.entries(s.motion).map(([room, id]) => ({ id, type: 'motion', room })),
    { id: s.leak, type: 'leak', room: 'kitchen' },
    { id: s.meter, type: 'water_meter' },
  ];
  return {
    id: s.id,
    address: s.address,
    grid: s.grid,
    location: s.location,
    sharing: 'rhythm',
    residents: [{ ...s.resident, language: 'zh' }],
    contacts: [
      {
        name: '李明',
        // Relations are free text, kept as typed: the demo's come in both languages.
        relation: DEMO_RELATIONS[s.index % DEMO_RELATIONS.length],
        phone: `+86 138 0000 ${String(s.index).padStart(4, '0')}`,
        priority: 1,
      },
    ],
    devices,
    gateways: s.gateway ? [{ id: s.gateway.id, devices: s.gateway.devices.map((d) => ({ ...d })) }] : [],
  };
}

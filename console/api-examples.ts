/**
 * The examples of the OpenAPI document (/api/docs): one small county's world, consistent across routes.
 * 张桂兰 (res-0001), 84, lives alone in household hh-0001 of grid 城关镇-幸福社区; at 07:42:10 on
 * 2026-03-14 (China Standard Time) she presses her call button sos-0001; dispatcher 王芳 acknowledges,
 * assigns grid worker 王强 (rsp-0001), who accepts and sets out. Plain data, no imports (the browser
 * program includes it through console/response-schemas.ts): console/schemas.ts `withExample` checks each
 * against its schema's type, tests/api-docs.test.ts against the schema itself.
 */

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
/** Local midnight starting 2026-03-14 (UTC+8), epoch ms. */
export const DAY_START = 1_773_417_600_000;
/** 07:42:10: the SOS, epoch ms. */
const T0 = DAY_START + 7 * HOUR + 42 * MIN + 10 * S;
const ACKNOWLEDGED = T0 + 18 * S;
const ASSIGNED = T0 + 41 * S;
const ACCEPTED = T0 + 95 * S;
/** The first dispatcher page painted it (the alarm path's `shown`). */
export const SHOWN_AT = T0 + 310;

export const SECRET = 'q7VYkR2m9xT4cLp0WbN8sJf3HdZa6EuG';
export const INCIDENT_ID = 'inc-3f6c2a1e-8b4d-4c7a-9e21-5d0b7f4a9c13';
const ALARM_ID = 'alm-7d2e5b90-1c4f-4a8e-b3d6-9f0a2c5e8b17';
const GRID = '城关镇-幸福社区';

// Households and what is in them
export const HOUSEHOLD = {
  id: 'hh-0001',
  address: '青山县城关镇幸福路 12号 3单元 201',
  grid: GRID,
  location: { lat: 28.1941, lon: 113.0265 },
  notes: '独居；备用钥匙在隔壁王阿姨家（3单元 202）',
  sharing: 'rhythm',
} as const;
export const HOUSEHOLD_WRITE = {
  address: '青山县城关镇幸福路 12号 3单元 201',
  grid: GRID,
  notes: '独居；女儿每周六上午探望',
} as const;
export const RESIDENT = {
  id: 'res-0001',
  householdId: 'hh-0001',
  name: '张桂兰',
  birthYear: 1942,
  careNotes: ['高血压，早晚各服药一次', '左耳听力弱，请在右侧说话'],
  language: 'zh',
} as const;
export const RESIDENT_CREATE = {
  id: 'res-0001',
  name: '张桂兰',
  birthYear: 1942,
  careNotes: ['高血压，早晚各服药一次'],
  language: 'zh',
} as const;
export const RESIDENT_WRITE = {
  name: '张桂兰',
  careNotes: ['高血压，早晚各服药一次', '左耳听力弱，请在右侧说话'],
} as const;
export const CONTACT = {
  id: 1,
  householdId: 'hh-0001',
  name: '李建国',
  relation: '儿子',
  phone: '+86 138 0731 2468',
  priority: 1,
} as const;
export const CONTACT_WRITE = {
  name: '李建国',
  relation: '儿子',
  phone: '+86 138 0731 2468',
  priority: 1,
} as const;

export const DEVICE = {
  id: 'sos-0001',
  householdId: 'hh-0001',
  type: 'button',
  room: 'bedroom',
  residentId: 'res-0001',
  gatewayId: null,
  friendlyName: null,
  sosActions: null,
  enabled: true,
} as const;
const LEAK_SENSOR = {
  id: 'leak-0001',
  householdId: 'hh-0001',
  type: 'leak',
  room: 'bathroom',
  residentId: null,
  gatewayId: 'gw-0001',
  friendlyName: 'bathroom-leak',
  sosActions: null,
  enabled: true,
} as const;
export const DEVICE_CREATE = {
  id: 'sos-0001',
  householdId: 'hh-0001',
  type: 'button',
  room: 'bedroom',
  residentId: 'res-0001',
} as const;
export const DEVICE_UPDATE = { room: 'living' } as const;
export const GATEWAY = { id: 'gw-0001', householdId: 'hh-0001', enabled: true } as const;
export const GATEWAY_CREATE = { id: 'gw-0001', householdId: 'hh-0001' } as const;
export const GATEWAY_UPDATE = { enabled: false } as const;
export const HOUSEHOLD_DETAIL = {
  ...HOUSEHOLD,
  residents: [RESIDENT],
  contacts: [CONTACT],
  devices: [DEVICE, LEAK_SENSOR],
  gateways: [GATEWAY],
} as const;

// People
export const USER = {
  id: 3,
  username: 'li.jianguo',
  role: 'family',
  displayName: '李建国',
  enabled: true,
  households: ['hh-0001'],
} as const;
export const USER_CREATE = {
  username: 'li.jianguo',
  role: 'family',
  password: 'qingshan-spring-2026',
  displayName: '李建国',
  households: ['hh-0001'],
} as const;
export const USER_UPDATE = { households: ['hh-0001', 'hh-0002'] } as const;
export const RESPONDER_WRITE = {
  name: '王强',
  kind: 'grid_worker',
  phone: '+86 139 7310 5566',
  grids: [GRID],
  stationId: 'st-0001',
  userId: 5,
} as const;
export const RESPONDER = { id: 'rsp-0001', ...RESPONDER_WRITE } as const;
export const STATION_WRITE = { name: '城关镇助老服务站', lat: 28.1975, lon: 113.0301 } as const;
export const STATION = { id: 'st-0001', ...STATION_WRITE } as const;

export const LOGIN = { username: 'wang.fang', password: 'qingshan-dispatch-07' } as const;
const SESSION_USER = {
  id: 2,
  username: 'wang.fang',
  role: 'dispatcher',
  displayName: '王芳',
  households: [],
} as const;
export const LOGIN_REPLY = {
  token: 'Xb3kQ9vLr2T8yNcW0pHs5mZf7JdG1aUe4iKoR6tVwYx',
  expiresAt: '2026-03-14T11:42:10.000Z',
  user: SESSION_USER,
} as const;
export const ME_REPLY = { user: SESSION_USER, expiresAt: '2026-03-14T11:42:10.000Z' } as const;

// The incident
const EXPLANATION = {
  zh: '一键呼叫 sos-0001 07:42 发出紧急求助',
  en: 'SOS from call button sos-0001 at 07:42',
};
const SOS_EVIDENCE = {
  kind: 'message',
  at: T0,
  deviceId: 'sos-0001',
  deviceType: 'button',
  room: 'bedroom',
  channel: 'event',
  event: 'sos',
  values: {},
} as const;
const STAGES = {
  acknowledge: { dueAt: T0 + MIN, doneAt: ACKNOWLEDGED, tookMs: ACKNOWLEDGED - T0, met: true },
  accept: { dueAt: T0 + 3 * MIN, doneAt: ACCEPTED, tookMs: ACCEPTED - T0, met: true },
  on_site: { dueAt: T0 + 15 * MIN, doneAt: null, tookMs: null, met: null },
} as const;
const INCIDENT_SUMMARY = {
  id: INCIDENT_ID,
  householdId: 'hh-0001',
  residentId: 'res-0001',
  alarmType: 'sos',
  class: 'emergency',
  severity: 'critical',
  state: 'dispatched',
  openedAt: T0,
  updatedAt: ACCEPTED,
  closedAt: null,
  deadlines: { acknowledge: T0 + MIN, accept: T0 + 3 * MIN, on_site: T0 + 15 * MIN },
  stages: STAGES,
  responderId: 'rsp-0001',
  pendingResponderId: null,
  explanation: EXPLANATION,
  alarmCount: 1,
  residentCancelledAt: null,
} as const;
export const INCIDENT = {
  ...INCIDENT_SUMMARY,
  assignedAt: ASSIGNED,
  outcome: null,
  note: null,
  cancelReason: null,
  evidence: [SOS_EVIDENCE],
  lastEscalation: null,
} as const;
const DISPATCHER = {
  userId: 2,
  username: 'wang.fang',
  ip: '10.20.1.15',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
};
export const INCIDENT_DETAIL = {
  ...INCIDENT,
  alarmIds: [ALARM_ID],
  timeline: [
    { kind: 'path', at: T0 - 42, point: 'received', sincePreviousMs: null },
    { kind: 'path', at: T0 - 38, point: 'rule_fired', sincePreviousMs: 4 },
    { kind: 'path', at: T0 - 37, point: 'opened', sincePreviousMs: 1 },
    { kind: 'path', at: T0, point: 'committed', sincePreviousMs: 37 },
    { kind: 'path', at: SHOWN_AT, point: 'shown', sincePreviousMs: SHOWN_AT - T0 },
    { kind: 'evidence', at: T0, evidence: SOS_EVIDENCE },
    {
      kind: 'audit',
      at: T0,
      id: 1,
      action: 'opened',
      fromState: null,
      toState: 'open',
      userId: null,
      username: 'system',
      ip: null,
      userAgent: null,
      detail: { alarmId: ALARM_ID },
    },
    {
      kind: 'audit',
      at: ACKNOWLEDGED,
      id: 2,
      action: 'acknowledge',
      fromState: 'open',
      toState: 'acknowledged',
      ...DISPATCHER,
      detail: {},
    },
    {
      kind: 'audit',
      at: ASSIGNED,
      id: 3,
      action: 'assign',
      fromState: 'acknowledged',
      toState: 'acknowledged',
      ...DISPATCHER,
      detail: { responderId: 'rsp-0001' },
    },
    {
      kind: 'audit',
      at: ACCEPTED,
      id: 4,
      action: 'accept',
      fromState: 'acknowledged',
      toState: 'dispatched',
      userId: 5,
      username: 'wang.qiang',
      ip: '10.20.7.33',
      userAgent: 'Mozilla/5.0 (Linux; Android 14)',
      detail: {},
    },
  ],
} as const;
export const SUGGESTION = {
  responderId: 'rsp-0001',
  name: '王强',
  kind: 'grid_worker',
  phone: '+86 139 7310 5566',
  stationId: 'st-0001',
  distanceM: 517,
  etaMinutes: 3,
} as const;
export const POSITION = { lat: 28.196, lon: 113.028 } as const;
export const ETA = {
  incidentId: INCIDENT_ID,
  responderId: 'rsp-0001',
  distanceM: 257,
  etaMinutes: 2,
  etaAt: ACCEPTED + 2 * MIN + 40 * S,
  onSiteDueAt: T0 + 15 * MIN,
  escalated: false,
} as const;
export const ASSIGN = { responderId: 'rsp-0001' } as const;
export const RESOLVE = {
  outcome: 'assisted_at_home',
  note: '起夜时在卧室滑倒，无外伤，已扶回床上休息；已电话告知儿子李建国',
} as const;
export const CANCEL = { reason: '老人误按，电话回拨确认安全' } as const;
export const COMMENT = { text: '已联系儿子李建国，约 20 分钟到家' } as const;

// What a dispatcher sees of the home
const RESIDENT_VIEW = {
  id: 'res-0001',
  name: '张桂兰',
  age: 84,
  careNotes: RESIDENT.careNotes,
  language: 'zh',
} as const;
const DEVICE_STATES = [
  {
    id: 'sos-0001',
    type: 'button',
    room: 'bedroom',
    friendlyName: null,
    gatewayId: null,
    enabled: true,
    connection: 'online',
    lastSeenAt: T0,
    silentSince: null,
    battery: 87,
    issues: [],
  },
  {
    id: 'leak-0001',
    type: 'leak',
    room: 'bathroom',
    friendlyName: 'bathroom-leak',
    gatewayId: 'gw-0001',
    enabled: true,
    connection: 'online',
    lastSeenAt: T0 - 3 * MIN,
    silentSince: null,
    battery: 18,
    issues: ['battery_low'],
  },
] as const;
const LAST_MOVEMENT = T0 - 26 * MIN;
export const INCIDENT_CONTEXT = {
  incidentId: INCIDENT_ID,
  household: HOUSEHOLD,
  residents: [RESIDENT_VIEW],
  contacts: [CONTACT],
  devices: DEVICE_STATES,
  openAlarms: [
    {
      id: ALARM_ID,
      type: 'sos',
      class: 'emergency',
      severity: 'critical',
      openedAt: T0,
      count: 1,
      explanation: EXPLANATION,
    },
  ],
  lastMovementAt: LAST_MOVEMENT,
} as const;
export const HOUSEHOLD_STATUS = {
  household: HOUSEHOLD,
  residents: [RESIDENT_VIEW],
  contacts: [CONTACT],
  state: 'alarm',
  reasons: ['incident_emergency', 'device_battery_low'],
  lastMovementAt: LAST_MOVEMENT,
  devices: DEVICE_STATES,
  activeIncident: INCIDENT_SUMMARY,
  away: null,
  serverTime: ACCEPTED + 5 * S,
} as const;

// Away, alert settings, incident policy (their defaults: the hub's own, in the routes' examples)
const AWAY_UNTIL = Date.parse('2026-03-20T18:00:00+08:00');
export const AWAY_BODY = { until: '2026-03-20T18:00:00+08:00', reason: '住院（青山县人民医院）' } as const;
export const AWAY_STATUS = {
  householdId: 'hh-0001',
  away: true,
  declared: {
    householdId: 'hh-0001',
    until: AWAY_UNTIL,
    reason: AWAY_BODY.reason,
    setBy: 'li.jianguo',
    setAt: T0 + 3 * HOUR,
  },
  wristband: null,
} as const;
/** She rises at 6 and is unwell: no movement for 8 h is worth a call. */
export const SETTINGS_OVERRIDE = {
  activeHours: { startHour: 6, endHour: 21 },
  noMovementMs: 8 * HOUR,
} as const;
/** A hillside household 4 km from the station: 20 minutes to reach the door. */
export const POLICY_OVERRIDE = { deadlines: { on_site: 20 * MIN } } as const;

// History (the 24 hours to 08:00, widened to whole hours)
const RANGE = { source: 'influx', from: DAY_START - 16 * HOUR, to: DAY_START + 8 * HOUR } as const;
const AT6 = DAY_START + 6 * HOUR;
const AT7 = DAY_START + 7 * HOUR;
export const ACTIVITY = {
  ...RANGE,
  rows: [
    { hour: AT6, room: 'bedroom', motions: 4 },
    { hour: AT7, room: 'bathroom', motions: 6 },
    { hour: AT7, room: 'kitchen', motions: 3 },
  ],
} as const;
export const WATER = {
  ...RANGE,
  rows: [
    { start: AT6, liters: 12.4 },
    { start: AT7, liters: 31.8 },
  ],
} as const;
export const VITALS = {
  ...RANGE,
  rows: [
    {
      deviceId: 'wb-0001',
      hour: AT7,
      heartRate: { mean: 76.5, min: 68, max: 91 },
      spo2: { mean: 96.2, min: 94, max: 98 },
    },
  ],
} as const;
export const BATTERY = {
  ...RANGE,
  rows: [
    { deviceId: 'sos-0001', battery: 87, at: T0 },
    { deviceId: 'leak-0001', battery: 18, at: T0 - 3 * MIN },
  ],
} as const;
export const LAST_SEEN = {
  ...RANGE,
  rows: [
    { deviceId: 'sos-0001', at: T0 },
    { deviceId: 'wb-0001', at: T0 - 40 * S },
  ],
} as const;
const hours = (values: readonly number[]) => [...values, ...Array<number>(24 - values.length).fill(0)];
export const RHYTHM = {
  householdId: 'hh-0001',
  date: '2026-03-14',
  dayStart: DAY_START,
  source: 'influx',
  today: {
    motions: hours([0, 0, 2, 0, 0, 0, 4, 9]),
    liters: hours([0, 0, 3.1, 0, 0, 0, 12.4, 31.8]),
    hoursElapsed: 8,
  },
  usual: {
    motions: hours([
      0.1, 0, 1.3, 0.3, 0, 0.4, 5.9, 11.6, 8.7, 6.1, 5.4, 7.9, 6.6, 3.1, 2.9, 4.4, 5.7, 7.3, 8.1, 6.4, 3.9,
      1.1,
    ]),
    liters: hours([
      0, 0, 2.4, 0, 0, 0.6, 14.1, 29.5, 9.8, 4.2, 6.6, 18.3, 10.1, 2.2, 1.9, 3.4, 8.8, 17.6, 12.9, 6.1, 9.7,
      2.3,
    ]),
    days: 7,
  },
  baseline: { days: 14, firstMotionMin: 6 * 60 + 32, firstWaterMin: 6 * 60 + 41, dailyLiters: 142.5 },
} as const;

// The dispatch center's reports
const share = (met: number, counted: number) => ({ met, counted, share: counted ? met / counted : null });
const FIGURES = {
  incidents: 9,
  emergencies: 3,
  acknowledgedWithin60s: share(3, 3),
  onSiteWithin15min: share(2, 3),
  stages: {
    acknowledge: { count: 3, medianMs: 18 * S, p90Ms: 41 * S },
    accept: { count: 3, medianMs: 95 * S, p90Ms: 150 * S },
    on_site: { count: 3, medianMs: 620 * S, p90Ms: 1010 * S },
    resolve: { count: 2, medianMs: 41 * MIN, p90Ms: 52 * MIN },
  },
  breaches: 1,
};
const LATE_OPENED = DAY_START + 19 * HOUR + 5 * MIN;
export const SLA_REPORT = {
  from: DAY_START,
  to: DAY_START + 24 * HOUR,
  utcOffsetMinutes: 480,
  asOf: DAY_START + 24 * HOUR + 20 * MIN,
  total: FIGURES,
  byDay: [{ day: '2026-03-14', ...FIGURES }],
  byGrid: [{ grid: GRID, ...FIGURES }],
  byResponder: [{ responderId: 'rsp-0001', ...FIGURES }],
  alarmPath: {
    hops: [
      { hop: 'received_to_rule_fired', from: 'received', to: 'rule_fired', count: 3, p50Ms: 4, p99Ms: 9 },
      { hop: 'rule_fired_to_opened', from: 'rule_fired', to: 'opened', count: 3, p50Ms: 1, p99Ms: 2 },
      { hop: 'opened_to_committed', from: 'opened', to: 'committed', count: 3, p50Ms: 31, p99Ms: 48 },
      { hop: 'committed_to_shown', from: 'committed', to: 'shown', count: 3, p50Ms: 290, p99Ms: 640 },
      {
        hop: 'shown_to_acknowledged',
        from: 'shown',
        to: 'acknowledged',
        count: 3,
        p50Ms: 17 * S,
        p99Ms: 40 * S,
      },
      {
        hop: 'acknowledged_to_accepted',
        from: 'acknowledged',
        to: 'accepted',
        count: 3,
        p50Ms: 76 * S,
        p99Ms: 2 * MIN,
      },
      {
        hop: 'accepted_to_on_site',
        from: 'accepted',
        to: 'on_site',
        count: 3,
        p50Ms: 8 * MIN,
        p99Ms: 14 * MIN,
      },
    ],
    whole: {
      hop: 'received_to_on_site',
      from: 'received',
      to: 'on_site',
      count: 3,
      p50Ms: 620 * S,
      p99Ms: 1010 * S,
    },
  },
  breaches: [
    {
      incidentId: 'inc-9b1e4d27-5a3c-4f86-8e0d-2c7b6a1f9e54',
      householdId: 'hh-0045',
      grid: GRID,
      responderId: 'rsp-0001',
      class: 'emergency',
      openedAt: LATE_OPENED,
      stage: 'on_site',
      dueAt: LATE_OPENED + 15 * MIN,
      doneAt: LATE_OPENED + 16 * MIN + 50 * S,
      lateByMs: 110 * S,
      reason: 'on_site reached 110 s after its deadline',
    },
  ],
} as const;
export const EXPORT_ROW = {
  id: INCIDENT_ID,
  openedAt: T0,
  householdId: 'hh-0001',
  grid: GRID,
  class: 'emergency',
  alarmType: 'sos',
  severity: 'critical',
  state: 'resolved',
  alarmCount: 1,
  closedAt: T0 + 38 * MIN,
  outcome: 'assisted_at_home',
  stages: {
    ...STAGES,
    on_site: { dueAt: T0 + 15 * MIN, doneAt: T0 + 9 * MIN, tookMs: 9 * MIN, met: true },
    resolve: { dueAt: T0 + 24 * HOUR, doneAt: T0 + 38 * MIN, tookMs: 38 * MIN, met: true },
  },
} as const;
export const DELIVERY = {
  id: 4211,
  at: T0,
  channel: 'webhook',
  target: 'https://notify.qingshan.example/hooks/eldercare',
  event: 'incident_opened',
  incidentId: INCIDENT_ID,
  status: 'delivered',
  attempts: 1,
  lastError: null,
  nextAttemptAt: null,
  deliveredAt: T0 + 240,
} as const;

// The fleet and the data path
const QUARANTINED = {
  id: 5831,
  at: T0 - 2 * HOUR,
  clientId: 'gw-0001',
  code: 'unknown_device',
  detail: 'friendlyName: bedroom-pir is not provisioned in this household',
} as const;
export const QUARANTINE_ENTRY = {
  ...QUARANTINED,
  deviceId: null,
  topic: 'eldercare/v1/gw/gw-0001/bedroom-pir',
  seq: null,
  size: 64,
  payload: '{"occupancy":true,"battery":91,"illuminance":12,"linkquality":132}',
  resolvedAt: null,
  resolution: null,
} as const;
export const FAULT = {
  deviceId: 'wb-0312',
  count: 14,
  lastCode: 'invalid_payload',
  lastAt: T0 - 35 * MIN,
  flaggedAt: T0 - 2 * HOUR,
} as const;
export const PRESENCE = {
  clientId: 'sos-0001',
  kind: 'device',
  state: 'online',
  lastSeenAt: T0,
  deadlineAt: T0 + 45 * MIN,
  silentSince: null,
} as const;
const REFUSED_AT = T0 - 5 * HOUR;
export const DEAD_LETTER = {
  id: 12,
  at: REFUSED_AT,
  messageId: 918_273,
  deviceId: 'wm-0001',
  householdId: 'hh-0001',
  status: 422,
  error: 'failure writing points to database: partial write: points beyond retention policy dropped=1',
  line: `telemetry,device=wm-0001,household=hh-0001,room=kitchen,type=water_meter msg_id=918273i,total_liters=52318.4 ${REFUSED_AT}918273`,
} as const;
export const FLEET = {
  asOf: T0,
  counts: {
    devices: 1284,
    gateways: 212,
    offline: 2,
    neverConnected: 7,
    batteryLow: 1,
    unprotected: 1,
    quarantine24h: 3,
    deadLetter: 1,
  },
  offline: [
    {
      clientId: 'wb-0312',
      kind: 'device',
      householdId: 'hh-0312',
      type: 'wristband',
      state: 'silent',
      lastSeenAt: T0 - 3 * HOUR,
      silentSince: T0 - 2 * HOUR,
    },
    {
      clientId: 'gw-0045',
      kind: 'gateway',
      householdId: 'hh-0045',
      type: null,
      state: 'offline',
      lastSeenAt: T0 - 26 * HOUR,
      silentSince: null,
    },
  ],
  batteryLow: [
    {
      alarmId: 'alm-2c8f6e13-9d4a-4b57-a1e0-7f3b5c9d2e68',
      householdId: 'hh-0001',
      deviceId: 'leak-0001',
      battery: 18,
      since: T0 - 20 * HOUR,
    },
  ],
  unprotected: [
    {
      householdId: 'hh-0312',
      residentId: 'res-0412',
      deviceId: 'wb-0312',
      reason: 'lifeline_silent',
      since: T0 - 2 * HOUR,
    },
  ],
  quarantine: { last24h: 3, byCode: { invalid_payload: 2, unknown_device: 1 }, recent: [QUARANTINED] },
  deadLetter: {
    total: 1,
    recent: [
      {
        id: DEAD_LETTER.id,
        at: DEAD_LETTER.at,
        deviceId: DEAD_LETTER.deviceId,
        householdId: DEAD_LETTER.householdId,
        status: DEAD_LETTER.status,
        error: DEAD_LETTER.error,
      },
    ],
  },
} as const;

// Zigbee pairing
export const PENDING_ZIGBEE = {
  gatewayId: 'gw-0001',
  householdId: 'hh-0001',
  friendlyName: 'bedroom-pir',
  ieeeAddress: '0x00158d0008a1b2c3',
  model: 'RTCGQ11LM',
  vendor: 'Aqara',
  description: 'Motion sensor',
  suggestedType: 'motion',
  interview: 'successful',
  firstSeenAt: T0 - 2 * HOUR - 40 * S,
  updatedAt: T0 - 2 * HOUR,
  quarantined: 1,
} as const;
export const ZIGBEE_PROVISION = {
  friendlyName: 'bedroom-pir',
  id: 'pir-0002',
  type: 'motion',
  room: 'bedroom',
} as const;
export const ZIGBEE_PROVISIONED = {
  device: {
    id: 'pir-0002',
    householdId: 'hh-0001',
    type: 'motion',
    room: 'bedroom',
    residentId: null,
    gatewayId: 'gw-0001',
    friendlyName: 'bedroom-pir',
    sosActions: null,
    enabled: true,
  },
  resolvedQuarantine: 1,
} as const;

// Provisioning import
export const IMPORT_CSV = [
  'household_id,address,grid,lat,lon,resident_id,resident_name,birth_year,care_notes,contact_name,contact_phone,device_id,device_type,room,gateway_id,friendly_name',
  `hh-0002,青山县城关镇幸福路 14号 1单元 102,${GRID},28.1944,113.0271,res-0002,赵德明,1938,糖尿病,赵丽,+86 135 7310 2201,sos-0002,button,bedroom,,`,
  `hh-0002,青山县城关镇幸福路 14号 1单元 102,${GRID},28.1944,113.0271,res-0002,赵德明,1938,糖尿病,赵丽,+86 135 7310 2201,pir-0003,motion,living,,`,
  '',
].join('\n');
const counted = (created: number) => ({ created, updated: 0, unchanged: 0 });
export const IMPORT_REPORT = {
  ok: true,
  problems: [],
  counts: {
    households: counted(1),
    residents: counted(1),
    contacts: counted(1),
    gateways: counted(0),
    devices: counted(2),
    responders: counted(0),
    users: counted(0),
  },
  secrets: [
    { id: 'sos-0002', secret: 'Zt4Hq8Nw1Ls6Vb3Ry0Pk7Fm2Xc9Dj5Ga' },
    { id: 'pir-0003', secret: 'Mb5Wr2Kx8Qh1Tn6Yv3Lc0Sd7Fz4Jp9Ge' },
  ],
} as const;

export const IMPORT_JOB_ID = '5b0c7a3e-2f41-4d8e-9a6b-1c3d5e7f9a20';
export const IMPORT_JOB = {
  id: IMPORT_JOB_ID,
  state: 'writing',
  phase: null,
  households: { total: 1200, written: 400 },
  counts: {
    ...IMPORT_REPORT.counts,
    households: counted(400),
    residents: counted(400),
    devices: counted(1190),
  },
  problems: [],
  invalidField: null,
  reason: null,
  startedBy: 1,
  startedAt: '2026-03-14T01:05:00.000Z',
  finishedAt: null,
  holder: 'lease',
  secrets: 'none',
} as const;

// Operations
export const HEALTH_OK = { status: 'ok', mqtt: true, clients: 1496, db: 'ok' } as const;
export const HEALTH_DOWN = { status: 'unavailable', mqtt: true, clients: 1496, db: 'error' } as const;
export const METRICS = [
  '# HELP hub_http_requests_total HTTP requests answered, by route and status',
  '# TYPE hub_http_requests_total counter',
  'hub_http_requests_total{route="GET /api/incidents",status="200"} 5821',
  '# HELP hub_incidents_open Incidents not yet resolved or cancelled, by class and state',
  '# TYPE hub_incidents_open gauge',
  'hub_incidents_open{class="emergency",state="dispatched"} 1',
  '',
].join('\n');

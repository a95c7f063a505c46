import type { IncidentState, IncidentSummary } from '../incidents/events.ts';

type Text = { zh: string; en: string };

/** What the family is told when an incident reaches a state (progress, never sensor detail). */
const PROGRESS: Partial<Record<IncidentState, Text>> = {
  acknowledged: {
    zh: '服务中心已收到求助，正在安排人员。',
    en: 'The care centre has received the alarm and is arranging help.',
  },
  dispatched: {
    zh: '响应人员已接单，正在赶往。',
    en: 'A responder has accepted and is on the way.',
  },
  on_site: { zh: '响应人员已到达。', en: 'The responder has arrived.' },
  resolved: { zh: '本次求助已处理完毕。', en: 'The incident has been resolved.' },
  cancelled: { zh: '本次求助已取消。', en: 'The incident was cancelled.' },
};

/** The states the family hears about (acknowledged, dispatched, on site, resolved, cancelled). */
export function progressText(state: IncidentState): Text | null {
  return PROGRESS[state] ?? null;
}

export function openedText(incident: IncidentSummary): Text {
  return {
    zh: `新事件（${incident.alarmType}，${incident.severity}）：${incident.explanation.zh}`,
    en: `New incident (${incident.alarmType}, ${incident.severity}): ${incident.explanation.en}`,
  };
}

/** For the household's emergency contacts, read out by an SMS or voice gateway. */
export function contactsText(incident: IncidentSummary): Text {
  return {
    zh: `您家人家中发出了求助（${incident.alarmType}），服务中心正在处理。如方便，请尽快联系或前往。`,
    en: `An alarm (${incident.alarmType}) came from your family member's home; the care centre is handling it. If you can, please call or go there.`,
  };
}

/** An escalation told to the family: still in progress, a supervisor follows it. */
export function familyEscalationText(): Text {
  return {
    zh: '求助仍在处理中，主管已介入跟进。',
    en: 'Help is still being arranged; a supervisor is following up.',
  };
}

/** What a ladder step asks of its audience, beyond the fact of the escalation. */
const STEP_ADVICE: Record<string, Text> = {
  // SLA: not on site at 10 min → supervisor and responder warned, reassignment suggested.
  not_on_site_10m: {
    zh: '响应人员 10 分钟内未到场，建议改派（见事件的推荐人员）',
    en: 'responder not on site at 10 min: consider reassigning (see the incident’s suggestions)',
  },
  breach_15m: { zh: '15 分钟到场承诺已违约', en: 'the 15-minute on-site commitment is breached' },
};

/** An escalation for the dispatch centre (dispatchers, supervisor, responder). */
export function escalationText(incident: IncidentSummary, step: string): Text {
  const advice = STEP_ADVICE[step];
  return {
    zh: `事件升级（${step}）：${incident.alarmType}，当前状态 ${incident.state}${advice ? `；${advice.zh}` : ''}`,
    en: `Escalation (${step}): ${incident.alarmType}, state ${incident.state}${advice ? `; ${advice.en}` : ''}`,
  };
}

// Escalation steps in words. The default ladders' steps (alerts/incidents/escalation.ts) and a policy's
// own follow one shape, `<what>_<number><unit>` ("unacknowledged_30s", "not_accepted_3m"): named by the
// stage still waited for and the time since the incident opened. The follow-up's own steps have names.
import { addMessages, t } from '../common/i18n.js';

addMessages({
  zh: {
    'step.unacknowledged': '超过 {after}未接警',
    'step.not_accepted': '超过 {after}无人接单',
    'step.not_on_site': '超过 {after}未到场',
    'step.not_resolved': '超过 {after}未结案',
    'step.breach': '已超过 {after}时限',
    'step.assignment_not_accepted_2m': '派单 2 分钟无人接单，已改派',
    'step.eta_past_deadline': '预计到达晚于到场时限',
    'step.other': '升级步骤 {name}',
    'unit.s': '{n} 秒',
    'unit.m': '{n} 分钟',
    'unit.h': '{n} 小时',
    'unit.d': '{n} 天',
  },
  en: {
    'step.unacknowledged': 'not acknowledged after {after}',
    'step.not_accepted': 'not accepted after {after}',
    'step.not_on_site': 'not on site after {after}',
    'step.not_resolved': 'not resolved after {after}',
    'step.breach': 'past the {after} deadline',
    'step.assignment_not_accepted_2m': 'not accepted within 2 min of assignment: reassigned',
    'step.eta_past_deadline': 'expected arrival past the on-site deadline',
    'step.other': 'escalation step {name}',
    'unit.s': '{n} s',
    'unit.m': '{n} min',
    'unit.h': '{n} h',
    'unit.d': '{n} days',
    'unit.d.one': '1 day',
  },
});

const SHAPE = /^(unacknowledged|not_accepted|not_on_site|not_resolved|breach)_(\d+)([smhd])$/;

/** "超过 30 秒未接警" / "not acknowledged after 30 s" for unacknowledged_30s. @param {string} code */
export function stepLabel(code) {
  const named = t(`step.${code}`);
  if (named !== `step.${code}`) return named;
  const m = SHAPE.exec(code);
  if (!m) return t('step.other', { name: code }); // a policy's own name, as the supervisor wrote it
  const [, what, n, unit] = m;
  return t(`step.${what}`, { after: t(`unit.${unit}`, { n: Number(n) }) });
}

import type { Evidence, Explanation } from '../alarm.ts';
import type { Rule, RuleContext } from './context.ts';
import { messageEvidence, residentOf, settingsOf } from './context.ts';

interface Streak {
  count: number;
  since: number;
  /** the abnormal readings of the streak, newest last, at most the sustained count */
  evidence: Evidence[];
}

const streakKey = (deviceId: string) => `vitals:${deviceId}`;

/**
 * Wristband vitals: heart rate below 40 or above 130 bpm, or SpO₂ below 90 %, in 3 consecutive readings
 * that carry them: emergency, high. A reading with normal values ends the streak; one without heart rate
 * or SpO₂ neither counts nor ends it. The streak is persisted, so a restart between readings keeps it.
 */
export function createVitalsRule(ctx: RuleContext): Rule {
  return {
    name: 'vitals',
    async onMessage(m) {
      if (m.deviceType !== 'wristband' || !m.readings) return;
      const { heartRate, spo2 } = m.readings;
      if (heartRate === undefined && spo2 === undefined) return;
      const s = await settingsOf(ctx, m.householdId, m.deviceId);
      const problems: Explanation[] = [];
      if (heartRate !== undefined && heartRate < s.heartRateLow)
        problems.push({
          zh: `心率 ${heartRate} 次/分（低于 ${s.heartRateLow}）`,
          en: `heart rate ${heartRate} bpm (< ${s.heartRateLow})`,
        });
      if (heartRate !== undefined && heartRate > s.heartRateHigh)
        problems.push({
          zh: `心率 ${heartRate} 次/分（高于 ${s.heartRateHigh}）`,
          en: `heart rate ${heartRate} bpm (> ${s.heartRateHigh})`,
        });
      if (spo2 !== undefined && spo2 < s.spo2Low)
        problems.push({ zh: `血氧 ${spo2}%（低于 ${s.spo2Low}%）`, en: `SpO₂ ${spo2} % (< ${s.spo2Low} %)` });
      const key = streakKey(m.deviceId);
      const prev = await ctx.state.get<Streak>(key);
      if (problems.length === 0) {
        if (prev) await ctx.state.delete(key);
        return;
      }
      const values: Record<string, number> = {};
      if (heartRate !== undefined) values.heartRate = heartRate;
      if (spo2 !== undefined) values.spo2 = spo2;
      const evidence = messageEvidence(m, values);
      const streak: Streak = {
        count: (prev?.count ?? 0) + 1,
        since: prev?.since ?? m.receivedAt,
        evidence: [...(prev?.evidence ?? []), evidence].slice(-s.vitalsSustainedReadings),
      };
      await ctx.state.set(key, streak);
      if (streak.count < s.vitalsSustainedReadings) return;
      await ctx.alarms.raise({
        householdId: m.householdId,
        residentId: await residentOf(ctx.registry, m.householdId, m.deviceId),
        type: 'abnormal_vitals',
        class: 'emergency',
        severity: 'high',
        // The first raise carries the whole streak; a further reading adds itself.
        evidence: streak.count === s.vitalsSustainedReadings ? streak.evidence : [evidence],
        explanation: ctx.explain.vitals(problems, streak.count, streak.since),
      });
    },
  };
}

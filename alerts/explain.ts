import type { DeviceType, Room } from '../kernel/contract.ts';
import type { Explanation } from './alarm.ts';
import { duration, type LocalHours } from './hours.ts';

const DEVICE_NAMES: Record<DeviceType, Explanation> = {
  button: { zh: '一键呼叫', en: 'call button' },
  wristband: { zh: '智能手环', en: 'wristband' },
  motion: { zh: '人体感应探测器', en: 'motion sensor' },
  leak: { zh: '水浸报警器', en: 'leak sensor' },
  water_meter: { zh: '智能水表', en: 'water meter' },
};

const ROOM_NAMES: Record<Room, Explanation> = {
  bedroom: { zh: '卧室', en: 'bedroom' },
  bathroom: { zh: '卫生间', en: 'bathroom' },
  kitchen: { zh: '厨房', en: 'kitchen' },
  living: { zh: '客厅', en: 'living room' },
  entrance: { zh: '门厅', en: 'entrance' },
  other: { zh: '其他房间', en: 'other room' },
};

const device = (t: DeviceType, id: string): Explanation => ({
  zh: `${DEVICE_NAMES[t].zh} ${id}`,
  en: `${DEVICE_NAMES[t].en} ${id}`,
});

/**
 * The one-line bilingual explanations a dispatcher reads at a glance ("no movement since 06:12 …").
 * Times are the home's local clock (settings.utcOffsetMinutes).
 */
export class Explain {
  readonly #h: LocalHours;
  constructor(hours: LocalHours) {
    this.#h = hours;
  }

  #t(at: number): string {
    return this.#h.clock(at);
  }

  sos(type: DeviceType, id: string, at: number): Explanation {
    const d = device(type, id);
    return { zh: `${d.zh} ${this.#t(at)} 发出紧急求助`, en: `SOS from ${d.en} at ${this.#t(at)}` };
  }

  sosCancelled(at: number): Explanation {
    return {
      zh: `住户 ${this.#t(at)} 按下取消；仍需人工确认`,
      en: `cancelled by resident at ${this.#t(at)}; a person still confirms`,
    };
  }

  fall(confidence: number | null, confident: boolean, at: number): Explanation {
    const c = confidence === null ? '' : `（置信度 ${confidence.toFixed(2)}）`;
    const ce = confidence === null ? '' : ` (confidence ${confidence.toFixed(2)})`;
    return confident
      ? { zh: `手环 ${this.#t(at)} 检测到跌倒${c}`, en: `fall detected by wristband at ${this.#t(at)}${ce}` }
      : { zh: `手环 ${this.#t(at)} 检测到疑似跌倒${c}`, en: `possible fall at ${this.#t(at)}${ce}` };
  }

  fallStill(base: Explanation, fallAt: number, stillMs: number): Explanation {
    const d = duration(stillMs);
    return {
      zh: `${base.zh}；跌倒（${this.#t(fallAt)}）后${d.zh}家中无任何活动`,
      en: `${base.en}; no movement anywhere for ${d.en} since the fall at ${this.#t(fallAt)}`,
    };
  }

  leak(room: Room | null, at: number): Explanation {
    const r = room ? ROOM_NAMES[room] : { zh: '', en: 'the home' };
    return { zh: `${this.#t(at)} ${r.zh}检测到漏水`, en: `water leak in ${r.en} at ${this.#t(at)}` };
  }

  leakDry(base: Explanation, at: number): Explanation {
    return {
      zh: `${base.zh}；${this.#t(at)} 传感器报告已干，仍需人工关闭`,
      en: `${base.en}; sensor dry at ${this.#t(at)}, a person still closes it`,
    };
  }

  flowReported(minutes: number | null, at: number): Explanation {
    const m = minutes === null ? '' : ` ${Math.round(minutes)} 分钟`;
    const me = minutes === null ? '' : ` for ${Math.round(minutes)} min`;
    return {
      zh: `水表 ${this.#t(at)} 报告持续用水${m}`,
      en: `water meter reports continuous flow${me} at ${this.#t(at)}`,
    };
  }

  flowSustained(since: number, thresholdLpm: number, ms: number): Explanation {
    const d = duration(ms);
    return {
      zh: `自 ${this.#t(since)} 起持续用水 ≥ ${thresholdLpm} 升/分钟，已${d.zh}`,
      en: `water flowing ≥ ${thresholdLpm} L/min since ${this.#t(since)} (${d.en})`,
    };
  }

  vitals(problems: Explanation[], readings: number, since: number): Explanation {
    return {
      zh: `${problems.map((p) => p.zh).join('，')}；自 ${this.#t(since)} 起连续 ${readings} 次读数异常`,
      en: `${problems.map((p) => p.en).join(', ')}; abnormal over ${readings} readings since ${this.#t(since)}`,
    };
  }

  bathroom(lastAt: number, stillMs: number): Explanation {
    const d = duration(stillMs);
    return {
      zh: `${this.#t(lastAt)} 最后在卫生间有活动，此后${d.zh}其他房间无活动`,
      en: `last movement in the bathroom at ${this.#t(lastAt)}; none elsewhere for ${d.en}`,
    };
  }

  noMovement(lastAt: number, stillMs: number): Explanation {
    const d = duration(stillMs);
    return {
      zh: `自 ${this.#t(lastAt)} 起家中无任何活动（${d.zh}）`,
      en: `no movement in the home since ${this.#t(lastAt)} (${d.en})`,
    };
  }

  noMovementUsual(lastAt: number, usualMin: number, toleranceMin: number): Explanation {
    const m = Math.round(usualMin);
    const usual = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const tol = Math.round(toleranceMin);
    return {
      zh: `自 ${this.#t(lastAt)} 起家中无任何活动；平时 ${usual} ± ${tol} 分钟起床`,
      en: `no movement since ${this.#t(lastAt)}; usually up by ${usual} ± ${tol} min`,
    };
  }

  removed(id: string, at: number, ms: number): Explanation {
    const d = duration(ms);
    return {
      zh: `手环 ${id} ${this.#t(at)} 被摘下，已${d.zh}未佩戴：住户无防护`,
      en: `wristband ${id} off since ${this.#t(at)} (${d.en}): resident unprotected`,
    };
  }

  battery(type: DeviceType, id: string, percent: number | null, threshold: number): Explanation {
    const d = device(type, id);
    return percent === null
      ? { zh: `${d.zh} 报告电量低`, en: `${d.en} reports battery low` }
      : {
          zh: `${d.zh} 电量 ${percent}%（低于 ${threshold}%）`,
          en: `${d.en} battery at ${percent} % (below ${threshold} %)`,
        };
  }

  tamper(type: DeviceType, id: string, at: number): Explanation {
    const d = device(type, id);
    return { zh: `${d.zh} ${this.#t(at)} 外壳被打开`, en: `${d.en} opened (tamper) at ${this.#t(at)}` };
  }

  silent(type: DeviceType, id: string, lastSeenAt: number | null): Explanation {
    const d = device(type, id);
    const since =
      lastSeenAt === null
        ? { zh: '从未上线', en: 'never heard' }
        : { zh: `自 ${this.#t(lastSeenAt)} 起无信号`, en: `silent since ${this.#t(lastSeenAt)}` };
    const lifeline =
      type === 'button'
        ? { zh: '：住户的求助通道中断', en: ": the resident's lifeline is down" }
        : { zh: '', en: '' };
    return { zh: `${d.zh} ${since.zh}${lifeline.zh}`, en: `${d.en} ${since.en}${lifeline.en}` };
  }

  wandering(distanceM: number, at: number, radiusM: number): Explanation {
    return {
      zh: `有走失风险的住户夜间离家：${this.#t(at)} 手环定位距家 ${distanceM} 米（围栏 ${radiusM} 米）`,
      en: `resident at risk of wandering out at night: wristband ${distanceM} m from home at ${this.#t(at)} (fence ${radiusM} m)`,
    };
  }

  noWaterUse(lastAt: number, ms: number): Explanation {
    const d = duration(ms);
    return {
      zh: `自 ${this.#t(lastAt)} 起${d.zh}未用水，请致电问候`,
      en: `no water used since ${this.#t(lastAt)} (${d.en}): wellness check`,
    };
  }

  possibleCollapse(lastWaterAt: number, lastMotionAt: number | null, ms: number): Explanation {
    const d = duration(ms);
    const m =
      lastMotionAt === null
        ? { zh: '且从未检测到活动', en: 'and no movement ever recorded' }
        : {
            zh: `且自 ${this.#t(lastMotionAt)} 起无活动`,
            en: `and no movement since ${this.#t(lastMotionAt)}`,
          };
    return {
      zh: `自 ${this.#t(lastWaterAt)} 起${d.zh}未用水${m.zh}：可能晕倒`,
      en: `no water used since ${this.#t(lastWaterAt)} (${d.en}) ${m.en}: possible collapse`,
    };
  }

  noWaterPastUsual(lastAt: number, usualMin: number): Explanation {
    const usual = `${String(Math.floor(usualMin / 60)).padStart(2, '0')}:${String(Math.round(usualMin % 60)).padStart(2, '0')}`;
    return {
      zh: `今日尚未用水（上次 ${this.#t(lastAt)}）；平时 ${usual} 前已用水`,
      en: `no water used today (last at ${this.#t(lastAt)}); usually first used by ${usual}`,
    };
  }

  excessiveUse(liters: number, usualLiters: number, factor: number): Explanation {
    return {
      zh: `今日用水 ${Math.round(liters)} 升，超过平时（${Math.round(usualLiters)} 升）的 ${factor} 倍`,
      en: `${Math.round(liters)} L of water used today, over ${factor} × the usual ${Math.round(usualLiters)} L`,
    };
  }

  /** Suffix for an alarm whose timer fell due while the hub was down. */
  late(base: Explanation, dueAt: number): Explanation {
    return {
      zh: `${base.zh}（系统停机，应于 ${this.#t(dueAt)} 触发，延迟发出）`,
      en: `${base.en} (late: due at ${this.#t(dueAt)} while the hub was down)`,
    };
  }
}

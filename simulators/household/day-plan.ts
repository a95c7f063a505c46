import { Random } from './random.ts';
import type { HomeRoom } from './spec.ts';

/** One thing that happens in the home at a local time of day. */
export type DayAction =
  | { do: 'move'; room: HomeRoom }
  /** litres drawn since the meter's last reading */
  | { do: 'water'; liters: number }
  /** the wristband's position, metres from home, and steps walked since the last one */
  | { do: 'position'; north: number; east: number; steps: number }
  | { do: 'wristband'; state: 'removed' | 'worn' };

export interface DayStep {
  /** minutes after local midnight (may be fractional) */
  atMin: number;
  /** what the resident is doing, for logs: wake, bathroom, breakfast, walk, nap, sleep … */
  activity: string;
  action: DayAction;
}

const at = (h: number, m = 0) => h * 60 + m;

/**
 * A resident's day, the same for the same seed: wakes about 06:30, bathroom, breakfast in the kitchen
 * with water use, the living room, a walk of 30–50 min with the wristband's GPS (a loop of up to 150 m,
 * inside the 200 m geofence), lunch, a nap, dinner, a shower with the wristband off, sleep about 21:30,
 * and sometimes a bathroom visit at night.
 */
export function dayPlan(seed: number): DayStep[] {
  const r = new Random(seed);
  const steps: DayStep[] = [];
  const add = (atMin: number, activity: string, action: DayAction) => steps.push({ atMin, activity, action });
  const jitter = (min: number) => r.between(-min, min);

  if (r.chance(0.4)) {
    const night = at(2) + jitter(60);
    add(night, 'night bathroom', { do: 'move', room: 'bedroom' });
    add(night + 1, 'night bathroom', { do: 'move', room: 'bathroom' });
    add(night + 3, 'night bathroom', { do: 'water', liters: 6 });
    add(night + 6, 'back to bed', { do: 'move', room: 'bedroom' });
  }

  const wake = at(6, 30) + jitter(30);
  add(wake, 'wake', { do: 'move', room: 'bedroom' });
  add(wake + 2, 'bathroom', { do: 'move', room: 'bathroom' });
  add(wake + 8, 'bathroom', { do: 'water', liters: r.between(8, 14) });
  add(wake + 25, 'breakfast', { do: 'move', room: 'kitchen' });
  add(wake + 40, 'breakfast', { do: 'water', liters: r.between(2, 5) });
  add(wake + 50, 'living room', { do: 'move', room: 'living' });

  // The walk: out and round a loop, a position every 5 min, back home.
  const walkStart = at(9, 30) + jitter(30);
  const walkMin = r.int(30, 50);
  const radius = r.between(80, 150);
  add(walkStart - 1, 'leaving for a walk', { do: 'move', room: 'living' });
  for (let t = 0; t <= walkMin; t += 5) {
    const angle = (2 * Math.PI * t) / walkMin;
    const out = Math.sin((Math.PI * t) / walkMin);
    add(walkStart + t, 'walk', {
      do: 'position',
      north: Math.round(radius * out * Math.cos(angle)),
      east: Math.round(radius * out * Math.sin(angle)),
      steps: t === 0 ? 0 : r.int(350, 500),
    });
  }
  add(walkStart + walkMin + 1, 'home from the walk', { do: 'move', room: 'living' });

  const lunch = at(12) + jitter(20);
  add(lunch, 'lunch', { do: 'move', room: 'kitchen' });
  add(lunch + 15, 'lunch', { do: 'water', liters: r.between(3, 8) });
  add(lunch + 40, 'bathroom', { do: 'move', room: 'bathroom' });
  add(lunch + 45, 'bathroom', { do: 'water', liters: 6 });
  add(lunch + 50, 'living room', { do: 'move', room: 'living' });

  const nap = at(13, 30) + jitter(15);
  add(nap, 'nap', { do: 'move', room: 'bedroom' });
  add(nap + r.int(50, 90), 'up from the nap', { do: 'move', room: 'living' });

  for (let t = at(15, 30); t < at(17, 30); t += r.int(20, 45))
    add(t, 'afternoon', { do: 'move', room: 'living' });

  const dinner = at(18) + jitter(20);
  add(dinner, 'dinner', { do: 'move', room: 'kitchen' });
  add(dinner + 20, 'dinner', { do: 'water', liters: r.between(5, 10) });
  add(dinner + 45, 'television', { do: 'move', room: 'living' });

  const shower = at(20, 30) + jitter(20);
  add(shower, 'shower', { do: 'wristband', state: 'removed' });
  add(shower + 1, 'shower', { do: 'move', room: 'bathroom' });
  add(shower + 15, 'shower', { do: 'water', liters: r.between(30, 50) });
  add(shower + 20, 'shower', { do: 'wristband', state: 'worn' });
  add(shower + 40, 'sleep', { do: 'move', room: 'bedroom' });

  return steps.sort((a, b) => a.atMin - b.atMin);
}

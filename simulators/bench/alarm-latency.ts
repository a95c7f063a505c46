import WebSocket from 'ws';
import { SimButton } from '../device-types.ts';
import { hubApi, login } from '../household/hub-api.ts';
import { householdSpec } from '../household/spec.ts';
import { type LoadResult, runLoad } from '../load-client.ts';
import { BENCH_ADMIN_PASSWORD, startBenchHub } from './hub-child.ts';
import { percentile, sleep } from './machine.ts';

export interface AlarmLatencyOptions {
  /** households whose motion and leak sensors (and the other buttons) send the background telemetry */
  households: number;
  /** background telemetry, msg/s */
  rate: number;
  /** SOS presses, each from the button of another household */
  sos: number;
  /** ms between SOS presses */
  intervalMs: number;
  /** s of background load before the first SOS */
  warmupS: number;
}

export interface AlarmLatencyResult {
  backgroundDevices: number;
  background: LoadResult;
  measured: number;
  missing: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const DISPATCHER = {
  username: 'bench-dispatcher',
  password: 'bench-dispatcher-password',
  role: 'dispatcher',
};

/**
 * Alarm latency: from a call button's SOS PUBLISH to the incident on a dispatcher's websocket
 * (`/api/live`, `incidentOpened`), under background telemetry from thousands of simulated devices. Each
 * SOS comes from another household (an open incident would join later alarms of its household).
 */
export async function benchAlarmLatency(o: AlarmLatencyOptions): Promise<AlarmLatencyResult> {
  const specs = Array.from({ length: o.households }, (_, i) => householdSpec(i + 1, { prefix: 'A' }));
  const hub = await startBenchHub(specs);
  const sockets: Array<{ close(): void }> = [];
  const buttons: SimButton[] = [];
  try {
    const admin = hubApi(hub.httpUrl, await login(hub.httpUrl, 'admin', BENCH_ADMIN_PASSWORD));
    await admin.call('POST', '/api/users', DISPATCHER);
    const token = await login(hub.httpUrl, DISPATCHER.username, DISPATCHER.password);

    const sent = new Map<string, number>();
    const latencies = new Map<string, number>();
    const ws = new WebSocket(`${hub.httpUrl.replace('http', 'ws')}/api/live`, {
      headers: { authorization: `Bearer ${token}` },
    });
    sockets.push(ws);
    const hello = new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data) => {
        const at = performance.now();
        const frame = JSON.parse(String(data)) as {
          type: string;
          event?: string;
          data?: { incident?: { householdId?: string } };
        };
        if (frame.type === 'hello') resolve();
        const household = frame.data?.incident?.householdId;
        if (frame.type !== 'event' || frame.event !== 'incidentOpened' || !household) return;
        const t0 = sent.get(household);
        if (t0 !== undefined && !latencies.has(household)) latencies.set(household, at - t0);
      });
    });
    await hello;

    const sosSpecs = specs.slice(0, o.sos);
    for (const s of sosSpecs) {
      const secret = hub.secrets.get(s.button) ?? '';
      buttons.push(await new SimButton({ url: hub.mqttUrl, id: s.button, secret }).connect());
    }
    const background = specs.flatMap((s, i) => [
      ...Object.values(s.motion),
      s.leak,
      ...(i < o.sos ? [] : [s.button]),
    ]);
    const durationS = o.warmupS + (o.sos * o.intervalMs) / 1000 + 3;
    let publishing: () => void = () => undefined;
    const started = new Promise<void>((r) => {
      publishing = r;
    });
    const load = runLoad({
      url: hub.mqttUrl,
      devices: background.map((id) => ({ id, secret: hub.secrets.get(id) ?? '' })),
      durationS,
      rate: o.rate,
      window: 1,
      telemetryOnly: true,
      connectConcurrency: 50,
      onPublishing: () => publishing(),
    });
    await Promise.race([started, load]);
    await sleep(o.warmupS * 1000);
    for (const [i, b] of buttons.entries()) {
      const household = sosSpecs[i]?.id ?? '';
      sent.set(household, performance.now());
      void b.sos().catch(() => undefined);
      await sleep(o.intervalMs);
    }
    const deadline = performance.now() + 5000;
    while (latencies.size < buttons.length && performance.now() < deadline) await sleep(50);
    const bg = await load;
    const sorted = [...latencies.values()].sort((a, b) => a - b);
    return {
      backgroundDevices: background.length,
      background: bg,
      measured: sorted.length,
      missing: buttons.length - sorted.length,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.at(-1) ?? Number.NaN,
    };
  } finally {
    for (const s of sockets) s.close();
    await Promise.allSettled(buttons.map((b) => b.end()));
    await hub.stop();
  }
}

import { parseArgs } from 'node:util';
import { benchIntake, intakeTable } from './bench/intake.ts';
import { machineDescription } from './bench/machine.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    window: { type: 'string', default: '4' },
  },
});
const o = {
  devices: Math.min(5000, Number(values.devices)),
  durationS: Math.min(120, Number(values.duration)),
  rate: Number(values.rate),
  window: Number(values.window),
};
const r = await benchIntake(o);
process.stdout.write(`${[`Machine: ${machineDescription()}`, ...intakeTable(o, r)].join('\n')}\n`);

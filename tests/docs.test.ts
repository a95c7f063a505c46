/**
 * The project's own documents for device makers and county staff (issue 24, item 9): docs/ describes
 * the device protocol and the provisioning files as the hub implements them, names everything of the
 * contract they must match (`../shared/docs/`, beside the repository in the project's workplace and in
 * CI), and the links of the README and docs/ resolve inside a clone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_BUTTON_ACTIONS,
  EVENTS_BY_TYPE,
  SCHEMAS_BY_TYPE,
  ZigbeeDevicePayload,
} from '../ingest/schemas.ts';
import { DEVICE_TYPES, ROOMS } from '../kernel/contract.ts';
import { importProvisioning } from '../kernel/provisioning/index.ts';
import { CSV_COLUMNS } from '../kernel/provisioning/parse-csv.ts';
import { tempRegistry } from './fixtures/provisioning/temp-registry.ts';

const root = resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const PROTOCOL = read('docs/device-protocol.md');
const PROVISIONING = read('docs/provisioning.md');

/** The contract, which CI lays beside the clone; a checkout without it has nothing to compare with. */
const CONTRACT_DIR = resolve(root, '..', 'shared', 'docs');
function contract(name: string): string | null {
  const file = join(CONTRACT_DIR, name);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  // In CI the contract must be there: a missing one fails instead of comparing nothing.
  expect(process.env.CI, `${file} is missing: CI lays shared/ beside the clone`).toBeFalsy();
  return null;
}

/** Whether the document names `word` as code: `word`, "word" (a JSON key or value), or in a `…` span. */
function names(doc: string, word: string): boolean {
  const w = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\`[^\`\\n]*\\b${w}\\b[^\`\\n]*\`|"${w}"`).test(doc);
}
const missingIn = (doc: string, words: Iterable<string>) => [...new Set(words)].filter((w) => !names(doc, w));

/** The text of a section: from the heading that starts with `title` to the next heading of its level. */
function section(doc: string, title: string): string {
  const start = doc.search(new RegExp(`^#+ ${title}`, 'm'));
  if (start < 0) return '';
  const level = /^#+/.exec(doc.slice(start))?.[0].length ?? 2;
  const body = doc.indexOf('\n', start);
  const rest = body < 0 ? '' : doc.slice(body + 1);
  const end = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The fenced code blocks of a document in the given language (`` ```json `` …; '' for a bare fence). */
const codeBlocks = (doc: string, lang: string) =>
  [...doc.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2] as string);

describe('docs/device-protocol.md', () => {
  it('names every device type, event, payload field, room and Zigbee2MQTT field the hub takes', () => {
    const events = Object.values(EVENTS_BY_TYPE).flat();
    const fields = Object.values(SCHEMAS_BY_TYPE).flatMap((s) =>
      [s.event, s.telemetry, s.status].flatMap((o) => Object.keys(o.properties)),
    );
    const zigbee = Object.keys(ZigbeeDevicePayload.properties);
    expect(missingIn(PROTOCOL, [...DEVICE_TYPES, ...events, ...fields, ...ROOMS, ...zigbee])).toEqual([]);
    expect(missingIn(PROTOCOL, DEFAULT_BUTTON_ACTIONS)).toEqual([]);
    // each event under its own type's heading
    for (const [type, list] of Object.entries(EVENTS_BY_TYPE)) {
      expect(missingIn(section(PROTOCOL, `\`${type}\``), list), type).toEqual([]);
    }
  });

  it('names every topic, event, field and error code of the contract', () => {
    const spec = contract('device-protocol.md');
    if (spec === null) return;
    const topicsOf = (doc: string) =>
      [...doc.matchAll(/`(eldercare\/v1\/[^`]+)`/g)].map((m) => m[1] as string);
    const contractTopics = topicsOf(section(spec, 'Topics'));
    expect(contractTopics.length).toBeGreaterThanOrEqual(6);
    expect(contractTopics.filter((t) => !topicsOf(PROTOCOL).includes(t))).toEqual([]);

    const events = [...spec.matchAll(/"event":"([a-z_]+)"/g)].map((m) => m[1] as string);
    expect(events.length).toBeGreaterThanOrEqual(15);
    expect(missingIn(PROTOCOL, events)).toEqual([]);
    const keys = [...spec.matchAll(/"([A-Za-z_]+)":/g)].map((m) => m[1] as string);
    expect(missingIn(PROTOCOL, keys)).toEqual([]);
    const codes = [...section(spec, 'Bad input').matchAll(/`([a-z_]+)`/g)].map((m) => m[1] as string);
    expect(codes).toContain('rate_limited');
    expect(missingIn(PROTOCOL, codes)).toEqual([]);
    // every device type section of the contract has one here
    const types = [...spec.matchAll(/^### `([a-z_]+)`/gm)].map((m) => m[1] as string);
    expect(types.filter((t) => !PROTOCOL.includes(`### \`${t}\``))).toEqual([]);
  });
});

describe('docs/provisioning.md', () => {
  const open: Array<() => void> = [];
  afterEach(() => {
    for (const close of open.splice(0)) close();
  });

  it('its JSON and CSV examples import into a new hub without a problem', async () => {
    const json = codeBlocks(PROVISIONING, 'json');
    const csv = codeBlocks(PROVISIONING, '').filter((b) => b.startsWith('household_id,'));
    expect([json.length, csv.length]).toEqual([1, 2]);
    const examples = [...json.map((c) => ['json', c] as const), ...csv.map((c) => ['csv', c] as const)];
    for (const [format, content] of examples) {
      const t = tempRegistry();
      open.push(t.close);
      const report = await importProvisioning(t.registry, { format, content });
      expect(report.problems, format).toEqual([]);
      expect(report.counts.devices?.created, format).toBeGreaterThan(0);
    }
  });

  it('names every CSV column and every value list the hub takes', () => {
    expect(missingIn(PROVISIONING, CSV_COLUMNS)).toEqual([]);
    expect(missingIn(PROVISIONING, [...DEVICE_TYPES, ...ROOMS, ...DEFAULT_BUTTON_ACTIONS])).toEqual([]);
  });

  it('names every field, column and value of the contract', () => {
    const spec = contract('provisioning.md');
    if (spec === null) return;
    const keys = codeBlocks(spec, 'json').flatMap((b) =>
      [...b.matchAll(/"([A-Za-z_]+)":/g)].map((m) => m[1]),
    );
    expect(keys.length).toBeGreaterThanOrEqual(30);
    expect(missingIn(PROVISIONING, keys as string[])).toEqual([]);
    const columns = codeBlocks(spec, '').flatMap((b) => (b.split('\n')[0] ?? '').split(','));
    expect(columns).toContain('friendly_name');
    expect(missingIn(PROVISIONING, columns)).toEqual([]);
    // the optional columns and the value lists in its prose: `sharing`, `grid_worker`, `water_meter` …
    const words = [...spec.matchAll(/`([a-z][a-z_]+)`/g)].map((m) => m[1] as string);
    expect(missingIn(PROVISIONING, words)).toEqual([]);
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');

describe('links', () => {
  const DOCUMENTS = ['README.md', 'ARCHITECTURE.md', 'docs/device-protocol.md', 'docs/provisioning.md'];

  it('of the README and docs/ point at files of the repository, none outside it', () => {
    const broken: string[] = [];
    for (const doc of DOCUMENTS) {
      for (const m of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (m[1] as string).split('#')[0] as string;
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        const file = resolve(root, dirname(doc), target);
        if (relative(root, file).startsWith('..') || !existsSync(file)) broken.push(`${doc}: ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('of docs/ reach the headings they name', () => {
    const broken: string[] = [];
    for (const doc of ['docs/device-protocol.md', 'docs/provisioning.md']) {
      for (const m of read(doc).matchAll(/\]\(([^)\s]*)#([^)\s]+)\)/g)) {
        const target = m[1] ? join(dirname(doc), m[1] as string) : doc;
        const anchors = [...read(target).matchAll(/^#+ (.+)$/gm)].map((h) => slug(h[1] as string));
        if (!anchors.includes(m[2] as string)) broken.push(`${doc}: ${m[1]}#${m[2]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the README points at docs/ for the protocol and the files, and names ../shared/docs as the contract', () => {
    const readme = read('README.md');
    expect(readme).toContain('](docs/device-protocol.md)');
    expect(readme).toContain('](docs/provisioning.md)');
    expect(readme).not.toMatch(/\]\([./]*shared\//);
    expect(readme).toMatch(/contract in `\.\.\/shared\/docs\/`/);
  });
});

import type { SQLOutputValue } from 'node:sqlite';

/** A row as node:sqlite returns it. */
export type Row = Record<string, SQLOutputValue>;

export const str = (v: SQLOutputValue | undefined): string =>
  v === null || v === undefined ? '' : String(v);
export const strOrNull = (v: SQLOutputValue | undefined): string | null =>
  v === null || v === undefined ? null : String(v);
export const numOrNull = (v: SQLOutputValue | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);
export const jsonArray = (v: SQLOutputValue | undefined): string[] => {
  const parsed: unknown = JSON.parse(str(v) || '[]');
  return Array.isArray(parsed) ? parsed.map(String) : [];
};
export const nowIso = (ms: number) => new Date(ms).toISOString();

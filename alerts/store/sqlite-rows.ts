/** Column conversions shared by the alerts room's SQLite adapters. */
export type Row = Record<string, unknown>;

export const nullableNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const nullableStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

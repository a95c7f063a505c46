/** One CSV field (RFC 4180): quoted when it holds a quote, a comma or a line break. */
export const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** One CSV line of fields, with its CRLF (RFC 4180). */
export const csvLine = (fields: ReadonlyArray<string | number | boolean | null>): string =>
  `${fields.map((f) => csvField(f === null ? '' : String(f))).join(',')}\r\n`;

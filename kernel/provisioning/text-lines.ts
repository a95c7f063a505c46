/** Text of an input file: strict UTF-8 decoding and byte offsets → 1-based line numbers. */

const CR = 0x0d;
const LF = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];

/** Byte offsets where each line starts; a line ends at \r\n, \n or a lone \r. */
function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === LF || (b === CR && bytes[i + 1] !== LF)) starts.push(i + 1);
  }
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * The line where each CSV record starts, given the UTF-8 byte offset where each one ends (csv-parse's
 * `info.bytes`). csv-parse's own `info.lines` counts a quoted \r\n twice, so offsets are used instead.
 */
export function recordLines(text: string, recordEnds: readonly number[]): number[] {
  const bytes = Buffer.from(text, 'utf8');
  const starts = lineStarts(bytes);
  return recordEnds.map((_, k) => {
    let pos = k === 0 ? 0 : (recordEnds[k - 1] ?? 0);
    if (pos === 0 && BOM.every((b, i) => bytes[i] === b)) pos = BOM.length;
    // Skipped empty lines lie between the previous record and this one.
    while (pos < bytes.length && (bytes[pos] === CR || bytes[pos] === LF)) pos++;
    return lineAt(starts, pos);
  });
}

/**
 * Decodes an uploaded file as UTF-8 (a byte-order mark is kept for the parsers to skip). A file in
 * another encoding (a spreadsheet saved as GBK, say) is refused with the line of the first bad byte.
 */
export function decodeUtf8(
  content: string | Uint8Array,
): { text: string } | { line: number; reason: string } {
  if (typeof content === 'string') return { text: content };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content) };
  } catch {
    const lenient = new TextDecoder('utf-8', { ignoreBOM: true }).decode(content);
    const bad = lenient.indexOf('\uFFFD');
    const line = lenient.slice(0, Math.max(bad, 0)).split(/\r\n|\r|\n/).length;
    return { line, reason: 'the file is not UTF-8 text (in a spreadsheet, save it as "CSV UTF-8")' };
  }
}

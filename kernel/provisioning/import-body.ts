/**
 * What an HTTP import's body holds: CSV text, a JSON `{format, content}` wrapper, or a JSON provisioning
 * document itself (the API of `POST /api/import`). Runs where the file is checked: off the main thread.
 */
import type { ImportFormat } from './index.ts';
import { MAX_DEPTH, tooDeepAt } from './parse-json.ts';
import { decodeUtf8 } from './text-lines.ts';

export type BodyMediaType = 'application/json' | 'text/csv';

export type UnwrappedBody =
  | { ok: true; format: ImportFormat; content: string | Uint8Array }
  /** the wrapper itself is wrong: a field error (400), not a problem of the file */
  | { ok: false; path: string; reason: string };

export function unwrapImportBody(mediaType: BodyMediaType, body: Uint8Array): UnwrappedBody {
  if (mediaType === 'text/csv') return { ok: true, format: 'csv', content: body };
  const decoded = decodeUtf8(body);
  // Not UTF-8: the importer reports it with its line.
  if ('reason' in decoded) return { ok: true, format: 'json', content: body };
  const raw = decoded.text.replace(/^\uFEFF/, '');
  // A body nested too deep is handed to the importer unparsed: it refuses it after one scan, where
  // JSON.parse of 6 MB of brackets would take half a second for nothing.
  if (tooDeepAt(raw, MAX_DEPTH) !== null) return { ok: true, format: 'json', content: raw };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Not JSON at all: the importer reports the syntax error with its line.
    return { ok: true, format: 'json', content: raw };
  }
  if (parsed === null || typeof parsed !== 'object' || !('content' in parsed))
    return { ok: true, format: 'json', content: raw };
  const { format, content } = parsed as Record<string, unknown>;
  if (format !== 'json' && format !== 'csv')
    return { ok: false, path: '/format', reason: 'must be json or csv' };
  if (typeof content !== 'string')
    return { ok: false, path: '/content', reason: 'must be the file as a string' };
  return { ok: true, format, content };
}

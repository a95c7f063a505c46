/**
 * Maps places in a JSON text (paths such as `households[0].devices[2]`) to the 1-based line where the
 * object at that place starts, and each of its keys to the line the key is on, so a problem found in
 * the parsed value can name its line.
 */

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `households` + `0` → `households[0]`; `households[0]` + `id` → `households[0].id`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

interface Frame {
  kind: 'object' | 'array';
  path: string;
  /** array: index of the element being read */
  index: number;
  /** object: the last key read, whose value comes next */
  key: string;
  /** object: the next string is a key */
  expectKey: boolean;
}

export interface JsonLines {
  /** Line where the nearest object enclosing `path` (or at `path`) starts; 1 when unknown. */
  objectLine(path: string): number;
  /** The line of each key of the object at `path` (undefined for no object there). */
  fieldLines(path: string): Readonly<Record<string, number>> | undefined;
}

/**
 * Scans a JSON text that JSON.parse accepted. Iterative (no recursion), so deep nesting cannot overflow
 * the stack. With duplicate keys the last one wins, as in JSON.parse.
 */
export function scanJsonLines(text: string): JsonLines {
  const objects = new Map<string, number>();
  const keys = new Map<string, Record<string, number>>();
  const stack: Frame[] = [];
  let line = 1;

  const valuePath = (): string => {
    const top = stack.at(-1);
    if (!top) return '';
    return top.kind === 'array' ? joinPath(top.path, top.index) : joinPath(top.path, top.key);
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    switch (c) {
      case '\n':
        line++;
        break;
      case '"': {
        const start = i;
        i++;
        while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
        const top = stack.at(-1);
        if (top?.kind === 'object' && top.expectKey) {
          top.key = String(JSON.parse(text.slice(start, i + 1)));
          top.expectKey = false;
          // No prototype: a key named __proto__ (or constructor) is a field like any other, with its line.
          const lines = keys.get(top.path) ?? (Object.create(null) as Record<string, number>);
          lines[top.key] = line;
          keys.set(top.path, lines);
        }
        break;
      }
      case '{':
      case '[': {
        const path = valuePath();
        if (c === '{') objects.set(path, line);
        stack.push({ kind: c === '{' ? 'object' : 'array', path, index: 0, key: '', expectKey: c === '{' });
        break;
      }
      case '}':
      case ']':
        stack.pop();
        break;
      case ',': {
        const top = stack.at(-1);
        if (top?.kind === 'array') top.index++;
        else if (top) top.expectKey = true;
        break;
      }
      default:
        break;
    }
  }

  return {
    fieldLines: (path) => keys.get(path),
    objectLine(path: string): number {
      let p = path;
      for (;;) {
        const found = objects.get(p);
        if (found !== undefined) return found;
        if (p === '') return 1;
        p = parentPath(p);
      }
    },
  };
}

/** `households[0].devices[2]` → `households[0].devices`; `a["b c"]` → `a`; `households` → ''. */
function parentPath(path: string): string {
  if (path.endsWith(']')) {
    // A bracket part is `[n]` or `["…"]`; a quoted key may itself contain `[`, so find its opening quote.
    const open = path.endsWith('"]') ? path.lastIndexOf('["', path.length - 2) : path.lastIndexOf('[');
    return open <= 0 ? '' : path.slice(0, open);
  }
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}

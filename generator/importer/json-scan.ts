/** Finds JSON objects embedded in page text (code blocks glued to prose, i18n keys, curl bodies). */

export interface ScannedObject {
  start: number;
  end: number;
  value?: unknown;
  /** Set when the text ends inside this object: the page was cut off. */
  truncated?: boolean;
}

/**
 * From an opening `{`, the end of its balanced object (string-aware), or -1 when the text ends first.
 */
export function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Every top-level JSON object in the text that parses; a `{` that never closes is reported as truncated. */
export function scanJsonObjects(text: string): ScannedObject[] {
  const found: ScannedObject[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{", i);
    if (open < 0) break;
    // Only objects that look like JSON: `{` followed by a quoted key or `}`.
    if (!/^\{\s*("|\})/.test(text.slice(open, open + 200))) {
      i = open + 1;
      continue;
    }
    const end = balancedEnd(text, open);
    if (end < 0) {
      found.push({ start: open, end: text.length, truncated: true });
      break;
    }
    try {
      found.push({ start: open, end, value: JSON.parse(text.slice(open, end)) });
      i = end;
    } catch {
      i = open + 1;
    }
  }
  return found;
}

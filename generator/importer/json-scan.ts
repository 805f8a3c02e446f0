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

/**
 * How many characters the scan may read, per character of text. A `{` whose object does not parse is
 * retried at the next `{` inside it, so objects nested in a broken one are found; text built of
 * broken objects nested inside each other would make that quadratic (a test measures the seed pages'
 * use of this budget).
 */
const WORK_PER_CHARACTER = 8;
/** A parse that fails costs far more than reading its characters (the thrown SyntaxError): counted as this many. */
const FAILED_PARSE_WORK = 512;

/** The text holds so many JSON-like blocks that do not parse (nested in each other, or countless) that the scan stopped. */
export class JsonScanLimitError extends Error {
  constructor(readonly offset: number) {
    super(`too many JSON-like blocks that do not parse (from offset ${offset})`);
    this.name = "JsonScanLimitError";
  }
}

/** Where a JSON object starts: `{` followed by a quoted key or `}` (sticky: tested at one offset). */
const JSON_OPENING = /\{\s*("|\})/y;

/** Every top-level JSON object in the text that parses; a `{` that never closes is reported as truncated. */
export function scanJsonObjects(text: string, workPerCharacter = WORK_PER_CHARACTER): ScannedObject[] {
  const found: ScannedObject[] = [];
  let budget = workPerCharacter * Math.max(text.length, 4096);
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{", i);
    if (open < 0) break;
    // Only objects that look like JSON: `{` followed by a quoted key or `}`.
    JSON_OPENING.lastIndex = open;
    if (!JSON_OPENING.test(text)) {
      i = open + 1;
      continue;
    }
    const end = balancedEnd(text, open);
    // Finding the end and parsing each read the object once.
    budget -= 2 * ((end < 0 ? text.length : end) - open);
    if (budget < 0) throw new JsonScanLimitError(open);
    if (end < 0) {
      found.push({ start: open, end: text.length, truncated: true });
      break;
    }
    try {
      found.push({ start: open, end, value: JSON.parse(text.slice(open, end)) });
      i = end;
    } catch {
      budget -= FAILED_PARSE_WORK;
      i = open + 1;
    }
  }
  return found;
}

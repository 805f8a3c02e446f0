/**
 * The one place where the API token is taken out of what the server says. Every answer is passed
 * through a `Redactor` as it arrives (the parsed body, keys included; a non-JSON body's text before it
 * is cut; a redirect's Location), so errors, callbacks, return values and the CLI only ever see
 * redacted data. A hostile or buggy server may echo the token raw, percent-encoded (in any mix of
 * encoded and plain characters, either hex case) or inside base64 (standard or URL-safe alphabet, at
 * any alignment, itself possibly percent-encoded): all are replaced by `[redacted]`. The protocol's own
 * keys are left as they are (PROTOCOL_KEYS); tokens too short to search for safely are refused where
 * they are read (client/credentials.ts).
 */

export const REDACTED = "[redacted]";

export interface Redactor {
  /** The text with every form of the token replaced. */
  text(text: string): string;
  /** A deep copy of a JSON value with every string (and object key) redacted. */
  value<T>(value: T): T;
}

const IDENTITY: Redactor = { text: (t) => t, value: (v) => v };

/**
 * The keys of RunComfy's answers that the client reads. They are the protocol's own public words, never
 * rewritten: a token that happens to be part of one (`status_url` holds `_url`) reveals nothing there, and
 * rewriting it would make a sound answer unreadable.
 */
const PROTOCOL_KEYS = new Set([
  "request_id",
  "status",
  "status_url",
  "result_url",
  "cancel_url",
  "queue_position",
  "output",
  "created_at",
  "finished_at",
  "outcome",
  "cost",
  "error_code",
  "code",
  "error_message",
  "message",
  "error",
  "detail",
  "msg",
  "loc",
  "type",
]);

/** Base64 forms shorter than this are not searched for (a 1–3 character core would match almost anything). */
const MIN_BASE64_CORE = 4;

function base64(bytes: Uint8Array, urlSafe: boolean): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const s = btoa(binary);
  return urlSafe ? s.replace(/\+/g, "-").replace(/\//g, "_") : s;
}

/**
 * The base64 characters that depend on the token's bytes only, for each of the three alignments the
 * token can have inside a longer base64 text (`Bearer <token>` encoded, for instance).
 */
export function base64Cores(token: string): string[] {
  const bytes = new TextEncoder().encode(token);
  const cores = new Set<string>();
  for (const lead of [0, 1, 2]) {
    const padded = new Uint8Array(lead + bytes.length);
    padded.set(bytes, lead);
    const first = Math.ceil((8 * lead) / 6);
    const last = Math.floor((8 * (lead + bytes.length) - 6) / 6);
    for (const urlSafe of [false, true]) {
      const core = base64(padded, urlSafe).slice(first, last + 1);
      if (core.length >= MIN_BASE64_CORE) cores.add(core);
    }
  }
  return [...cores];
}

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
const hexDigit = (d: string) => (/[0-9]/.test(d) ? d : `[${d.toLowerCase()}${d.toUpperCase()}]`);

/** A pattern for one character: itself, or its UTF-8 bytes percent-encoded (either hex case); `+` for a space. */
function charPattern(ch: string): string {
  const encoded = [...new TextEncoder().encode(ch)]
    .map((b) => "%" + [...b.toString(16).padStart(2, "0")].map(hexDigit).join(""))
    .join("");
  const alternatives = [escapeRegExp(ch), encoded];
  if (ch === " ") alternatives.push("\\+");
  return `(?:${alternatives.join("|")})`;
}

export function createRedactor(token: string | undefined): Redactor {
  if (!token) return IDENTITY;
  const forms = [token, ...base64Cores(token)].sort((a, b) => b.length - a.length);
  // Each form as a sequence of per-character alternatives: linear, with no nested quantifiers.
  const pattern = new RegExp(forms.map((form) => [...form].map(charPattern).join("")).join("|"), "g");
  const text = (t: string) => t.replace(pattern, REDACTED);
  const value = (v: unknown): unknown => {
    if (typeof v === "string") return text(v);
    if (Array.isArray(v)) return v.map(value);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) {
        const key = PROTOCOL_KEYS.has(k) ? k : text(k);
        // Defined as own data properties: a key such as "__proto__" stays data, never a prototype.
        Object.defineProperty(out, key, { value: value(inner), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  return { text, value: value as Redactor["value"] };
}

/** Cuts a redacted text to `max` characters (redact first: a token across the cut must not leave its start). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

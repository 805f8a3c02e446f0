/**
 * Format checks used by the precompiled validators. Media formats accept an absolute https URL;
 * data URIs and plain http are opt-in. Options are scoped to one synchronous validation call
 * (validators are synchronous, so no other call can observe them).
 */

export interface FormatOptions {
  /** Accept `data:<kind>/…;base64,…` URIs for media inputs. Default false. */
  allowDataUris?: boolean;
  /** Accept plain `http:` URLs for media inputs (local development). Default false. */
  allowHttp?: boolean;
}

let active: Required<FormatOptions> = { allowDataUris: false, allowHttp: false };

export function withFormatOptions<T>(options: FormatOptions | undefined, run: () => T): T {
  const previous = active;
  active = { allowDataUris: options?.allowDataUris ?? false, allowHttp: options?.allowHttp ?? false };
  try {
    return run();
  } finally {
    active = previous;
  }
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

export function isMediaUrl(value: string, kind: "image" | "video" | "audio", options: FormatOptions = active): boolean {
  if (typeof value !== "string") return false;
  if (value.startsWith("data:")) return !!options.allowDataUris && new RegExp(`^data:${kind}/[A-Za-z0-9.+-]+(?:;[A-Za-z0-9=.+-]+)*,`).test(value);
  const url = parseUrl(value);
  if (!url || !url.hostname) return false;
  return url.protocol === "https:" || (url.protocol === "http:" && !!options.allowHttp);
}

const uri = (value: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && parseUrl(value) !== undefined;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const date = (value: string) => {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days[mo - 1];
};

/** Format name → check, as the generated validators reference them. */
export const formats: Readonly<Record<string, (value: string) => boolean>> = Object.freeze({
  image_uri: (v: string) => isMediaUrl(v, "image"),
  video_uri: (v: string) => isMediaUrl(v, "video"),
  audio_uri: (v: string) => isMediaUrl(v, "audio"),
  uri,
  date,
  "date-time": (v: string) => {
    const [d, t] = v.split(/[Tt ]/);
    return date(d) && t !== undefined && /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):?[0-5]\d)$/.test(t);
  },
  email: (v: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
  uuid: (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
});

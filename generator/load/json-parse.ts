/**
 * A JSON parser that remembers where every value starts, so errors and lint findings can point at
 * line and column in the file the user edits. Objects are built with own properties only
 * (`__proto__` stays a plain key) and duplicate keys are reported, not silently merged.
 */
import { hasOwn, joinPointer, setOwn } from "../shared/errors.js";

export interface Position {
  line: number; // 1-based
  column: number; // 1-based, in UTF-16 code units
  offset: number;
}

export interface ParsedJson {
  value: unknown;
  /** JSON pointer of each value → where it starts (for a member: where its key starts). */
  positions: Map<string, Position>;
  duplicateKeys: { pointer: string; position: Position }[];
}

export class JsonSyntaxError extends Error {
  constructor(readonly detail: string, readonly position: Position) {
    super(`${detail} at line ${position.line}, column ${position.column}`);
    this.name = "JsonSyntaxError";
  }
}

export function parseJsonWithPositions(text: string): ParsedJson {
  const positions = new Map<string, Position>();
  const duplicateKeys: ParsedJson["duplicateKeys"] = [];
  // Line starts, for offset → line/column.
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const posAt = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1, offset };
  };
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (msg: string, at = i): never => {
    throw new JsonSyntaxError(msg, posAt(Math.min(at, text.length)));
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const describe = () => (i >= text.length ? "unexpected end of file" : `unexpected character ${JSON.stringify(text[i])}`);

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = "";
    let chunkStart = i;
    while (true) {
      if (i >= text.length) fail("unterminated string", start);
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(chunkStart, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("control character in string (escape it)");
      if (c === 92) {
        out += text.slice(chunkStart, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e !== undefined && hasOwn(simple, e)) {
          out += simple[e];
          i += 2;
        } else if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else fail("bad escape in string");
        chunkStart = i;
        continue;
      }
      i++;
    }
  };

  const parseValue = (pointer: string, keyStart?: number): unknown => {
    ws();
    positions.set(pointer, posAt(keyStart ?? i));
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = Object.create(null);
      const seen = new Set<string>();
      ws();
      if (text[i] === "}") {
        i++;
        return Object.assign({}, obj);
      }
      while (true) {
        ws();
        if (text[i] !== '"') fail(i >= text.length ? "unexpected end of file inside an object" : "expected a property name in double quotes");
        const kStart = i;
        const key = parseString();
        ws();
        if (text[i] !== ":") fail("expected ':' after property name");
        i++;
        const childPointer = joinPointer(pointer, key);
        if (seen.has(key)) duplicateKeys.push({ pointer: childPointer, position: posAt(kStart) });
        seen.add(key);
        const v = parseValue(childPointer, kStart);
        setOwn(obj, key, v);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          break;
        }
        fail(i >= text.length ? "unexpected end of file inside an object" : "expected ',' or '}'");
      }
      // A normal prototype for callers, but keys copied as own data properties.
      const plain: Record<string, unknown> = {};
      for (const k of Object.keys(obj)) setOwn(plain, k, obj[k]);
      return plain;
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      while (true) {
        arr.push(parseValue(joinPointer(pointer, arr.length)));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail(i >= text.length ? "unexpected end of file inside an array" : "expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!lit) fail(describe());
    i += lit![0].length;
    if (lit![0] === "true") return true;
    if (lit![0] === "false") return false;
    if (lit![0] === "null") return null;
    return Number(lit![0]);
  };

  ws();
  const value = parseValue("");
  ws();
  if (i < text.length) fail("unexpected content after the JSON value");
  return { value, positions, duplicateKeys };
}

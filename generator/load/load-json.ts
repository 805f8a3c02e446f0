/**
 * Stage 1 — load, the JSON part: bytes → UTF-8 text → JSON value, with the bounds a hostile file
 * must not cross (size, string length, nesting depth). Parsing is @humanwhocodes/momoa's (positions,
 * every member kept, so duplicate keys are seen); this file only bounds it and builds plain values
 * with own properties (`__proto__` stays a plain key). `lint` and `generate` both come through here,
 * so they reach the same verdict on every file.
 */
import { parse, type ValueNode } from "@humanwhocodes/momoa";
import { joinPointer } from "../runtime/json-pointer.js";
import { setOwn } from "../shared/errors.js";
import type { NoteCode } from "../shared/notes.js";

/** Bounds on a schema file (documented in the README). */
export const LOAD_LIMITS = Object.freeze({
  /** Bytes of one schema file. */
  fileBytes: 1024 * 1024,
  /** UTF-16 code units of one string (key or value). */
  stringLength: 64 * 1024,
  /** Nesting of objects and arrays, the file's top-level object counting as 1. */
  depth: 128,
});

export interface Position {
  line: number; // 1-based
  column: number; // 1-based, in UTF-16 code units
  offset: number;
}

/** A file that cannot be loaded, located by position (and by JSON pointer when there is one). */
export class JsonLoadError extends Error {
  constructor(
    readonly code: Extract<NoteCode, "invalid-json" | "invalid-utf8" | "too-deep" | "too-large">,
    readonly detail: string,
    readonly position: Position,
    readonly pointer = "",
  ) {
    super(`${detail} at line ${position.line}, column ${position.column}`);
    this.name = "JsonLoadError";
  }
}

export interface ParsedJson {
  value: unknown;
  /** JSON pointer of each value → where it starts (for a member: where its key starts). Only with `positions`. */
  positions: Map<string, Position>;
  duplicateKeys: { pointer: string; position: Position }[];
}

const START: Position = { line: 1, column: 1, offset: 0 };

function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1, offset };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Decodes a file's bytes; invalid UTF-8 is an error at the first bad byte, never U+FFFD silently. */
export function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length > LOAD_LIMITS.fileBytes) throw tooLargeFile(bytes.length);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder().decode(bytes.subarray(0, bad));
    const at = positionAt(before, before.length);
    throw new JsonLoadError(
      "invalid-utf8",
      `the file is not valid UTF-8 (byte 0x${bytes[bad].toString(16).padStart(2, "0")} at byte offset ${bad}); save it as UTF-8`,
      at,
    );
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  // The longest prefix that decodes (allowing a cut-off sequence at its end) ends at the bad byte.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // `lo` is where decoding fails; an incomplete sequence before it started at its lead byte.
  const failAt = Math.min(lo, bytes.length - 1);
  let lead = failAt - 1;
  while (lead >= 0 && failAt - lead <= 3 && (bytes[lead] & 0xc0) === 0x80) lead--;
  const length = bytes[lead] >= 0xf0 ? 4 : bytes[lead] >= 0xe0 ? 3 : bytes[lead] >= 0xc0 ? 2 : 1;
  return lead >= 0 && length > 1 && failAt - lead < length ? lead : failAt;
}

const tooLargeFile = (bytes: number) =>
  new JsonLoadError(
    "too-large",
    `the file is ${bytes} bytes; schema files are limited to ${LOAD_LIMITS.fileBytes} bytes`,
    START,
  );

/**
 * Where nesting first exceeds the limit, or -1. A plain scan (no recursion), so that momoa's
 * recursive parser never sees a file deep enough to overflow the stack.
 */
function tooDeepAt(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 123 || c === 91) {
      if (++depth > LOAD_LIMITS.depth) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return -1;
}

/** The JSON pointer of the container that opens at `offset` (the error path only: keys are decoded). */
function pointerAt(text: string, offset: number): string {
  const stack: { array: boolean; key: string | number; pointer: string }[] = [];
  let lastString = "";
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 34) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
      try {
        lastString = JSON.parse(text.slice(start, i + 1)) as string;
      } catch {
        lastString = text.slice(start + 1, i);
      }
    } else if (c === 58 && top && !top.array) top.key = lastString;
    else if (c === 44 && top?.array) (top.key as number)++;
    else if (c === 123 || c === 91) {
      const pointer = top ? joinPointer(top.pointer, top.key) : "";
      stack.push({ array: c === 91, key: 0, pointer });
    } else if (c === 125 || c === 93) stack.pop();
  }
  const top = stack[stack.length - 1];
  return top ? joinPointer(top.pointer, top.key) : "";
}

const TOKEN_TEXT: Record<string, string> = {
  LBrace: '"{"',
  RBrace: '"}"',
  LBracket: '"["',
  RBracket: '"]"',
  Comma: '","',
  Colon: '":"',
};

/** momoa's "Unexpected token RBrace found. (5:3)" in the words of a JSON file's author. */
function syntaxMessage(message: string): string {
  const detail = message.replace(/\s*\(\d+:\d+\)\s*$/, "").replace(/\.$/, "");
  const token = /^Unexpected token (\w+) found$/.exec(detail);
  if (token) return `unexpected ${TOKEN_TEXT[token[1]] ?? token[1].toLowerCase()}`;
  return detail.charAt(0).toLowerCase() + detail.slice(1);
}

/**
 * Parses a schema file's text. Throws JsonLoadError for bad syntax and for anything over the
 * limits. Duplicate keys are returned (the last one wins in `value`, as in JSON.parse); the caller
 * decides what they mean.
 */
export function parseJson(text: string, withPositions = false): ParsedJson {
  if (text.length > LOAD_LIMITS.fileBytes || Buffer.byteLength(text) > LOAD_LIMITS.fileBytes)
    throw tooLargeFile(Buffer.byteLength(text));
  const body = text.charCodeAt(0) === 0xfeff ? " " + text.slice(1) : text;
  const deep = tooDeepAt(body);
  if (deep !== -1) {
    const pointer = pointerAt(body, deep);
    throw new JsonLoadError(
      "too-deep",
      `nesting deeper than ${LOAD_LIMITS.depth} levels at ${pointer || "/"}; schema files are limited to ${LOAD_LIMITS.depth}`,
      positionAt(body, deep),
      pointer,
    );
  }
  let root: ValueNode;
  try {
    root = parse(body, { mode: "json" }).body;
  } catch (e) {
    const err = e as Error & { line?: number; column?: number; offset?: number };
    if (typeof err.line !== "number") throw e;
    throw new JsonLoadError("invalid-json", `invalid JSON: ${syntaxMessage(err.message)}`, {
      line: err.line,
      column: err.column ?? 1,
      offset: err.offset ?? 0,
    });
  }
  const positions = new Map<string, Position>();
  const duplicateKeys: ParsedJson["duplicateKeys"] = [];
  const value = toValue(root, "", positions, duplicateKeys, withPositions);
  return { value, positions, duplicateKeys };
}

function toValue(
  node: ValueNode,
  pointer: string,
  positions: Map<string, Position>,
  duplicates: ParsedJson["duplicateKeys"],
  record: boolean,
  keyAt?: Position,
): unknown {
  if (record) positions.set(pointer, keyAt ?? node.loc.start);
  switch (node.type) {
    case "Object": {
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const member of node.members) {
        // JSON mode names are strings (an identifier name is JSON5 only).
        const key = checkedString(
          member.name.type === "String" ? member.name.value : member.name.name,
          pointer,
          member.name.loc.start,
        );
        const child = joinPointer(pointer, key);
        if (seen.has(key)) duplicates.push({ pointer: child, position: member.name.loc.start });
        seen.add(key);
        setOwn(out, key, toValue(member.value, child, positions, duplicates, record, member.name.loc.start));
      }
      return out;
    }
    case "Array":
      return node.elements.map((element, i) =>
        toValue(element.value, joinPointer(pointer, i), positions, duplicates, record),
      );
    case "String":
      return checkedString(node.value, pointer, node.loc.start);
    case "Number":
    case "Boolean":
      return node.value;
    case "Null":
      return null;
    default:
      // JSON mode yields no other node; a JSON5 node here would be a parser change.
      throw new JsonLoadError("invalid-json", `invalid JSON: unexpected ${node.type}`, node.loc.start, pointer);
  }
}

function checkedString(value: string, pointer: string, at: Position): string {
  if (value.length > LOAD_LIMITS.stringLength) {
    throw new JsonLoadError(
      "too-large",
      `a string of ${value.length} characters at ${pointer || "/"}; strings in schema files are limited to ${LOAD_LIMITS.stringLength}`,
      at,
      pointer,
    );
  }
  return value;
}

/** The position of a pointer, or of its nearest ancestor that has one. */
export function positionOf(positions: Map<string, Position>, pointer: string): Position {
  let p = pointer;
  while (true) {
    const found = positions.get(p);
    if (found) return found;
    if (!p) return { line: 1, column: 1, offset: 0 };
    p = p.slice(0, p.lastIndexOf("/"));
  }
}

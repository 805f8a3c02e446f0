/**
 * Makes ajv's standalone validator code smaller without changing what it accepts or reports.
 * ajv (with allErrors) writes each error site out in full, keeps the whole schema as a constant for
 * the few values it reads from it, and spells integer checks in four parts; for schemas of a few dozen
 * short properties that made the validator 3–5× the schema's own size. Each rewrite below matches the
 * exact shape ajv emits and leaves anything else as ajv wrote it (test/emit/validator-compact.test.ts runs
 * each finished validator beside ajv compiling the same schema at run time, on the same inputs).
 *
 * - An error site `const errN = {instancePath…,schemaPath:…,keyword:…,params:…};if(vErrors === null)…errors++;`
 *   becomes `vErrors === null ? vErrors = [{instancePath…,keyword:…,params:…}] : vErrors.push({…});errors++;`.
 *   schemaPath is dropped: the package's error type (runtime/issues.ts `AjvError`) never offered it, and
 *   issues name the input's JSON pointer and the keyword. The object is written out twice (gzip stores
 *   the repeat as a back-reference) rather than passed to one shared helper: V8 does not inline a call
 *   it has seen rarely against the caller's count, so after many valid inputs every error paid for a
 *   call (bench section "validate"); `[]` and a push instead of `[error]` paid for growing the array.
 * - A schema constant (`const schema0 = {…};`) read only through static property paths is replaced by
 *   the values it is read for (enum lists, mostly: one constant each), written by the escaping helper.
 * - `((typeof x == "number") && (!(x % 1) && !isNaN(x))) && (isFinite(x))` becomes `Number.isInteger(x)`.
 * - Options a validating function destructures but never reads (`parentData`, …) are not destructured.
 */
import { jsLiteral } from "../shared/escape.js";
import { hasOwn } from "../shared/errors.js";

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Compaction edits of ajv's code, all found in one scan of `masked` (code-tokens.ts `mask(code)`): schema constants,
 * integer checks and unused options, and error sites (whose params may contain edits of their own).
 * Applied together with the caller's other edits by `applyEdits`.
 */
export function compactionEdits(code: string, masked: string): Edit[] {
  const inner = [
    ...schemaConstantEdits(code, masked),
    ...integerCheckEdits(code, masked),
    ...unusedParameterEdits(masked),
  ];
  const sites = errorSiteEdits(code, masked, inner);
  const consumed = new Set(sites.flatMap((s) => s.consumed));
  return [...inner.filter((e) => !consumed.has(e)), ...sites.map((s) => s.edit)];
}

/** Applies non-overlapping edits (in any order) to `code.slice(from, to)`. */
export function applyEdits(code: string, edits: Edit[], from = 0, to = code.length): string {
  const pieces: string[] = [];
  let done = from;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    if (e.start < done || e.end > to) throw new Error("overlapping edits of generated validator");
    pieces.push(code.slice(done, e.start), e.text);
    done = e.end;
  }
  pieces.push(code.slice(done, to));
  return pieces.join("");
}

/** Index of the bracket closing the one at `open`, in masked code (strings and comments blanked). */
function closingBracket(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const c = masked[i];
    if (c === "{" || c === "[" || c === "(") depth++;
    else if (c === "}" || c === "]" || c === ")") {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error(`unbalanced bracket at offset ${open} in generated validator`);
}

/** The fields of the object literal between `open` and `close` (its braces): key, and value's offsets. */
function objectFields(
  code: string,
  masked: string,
  open: number,
  close: number,
): { key: string; start: number; end: number }[] {
  const fields: { key: string; start: number; end: number }[] = [];
  let depth = 0;
  let start = open + 1;
  const add = (end: number) => {
    const colon = masked.indexOf(":", start);
    if (colon < 0 || colon >= end) fields.push({ key: code.slice(start, end).trim(), start, end });
    else fields.push({ key: code.slice(start, colon).trim(), start: colon + 1, end });
  };
  for (let i = open + 1; i < close; i++) {
    const c = masked[i];
    if (c === "{" || c === "[" || c === "(") depth++;
    else if (c === "}" || c === "]" || c === ")") depth--;
    else if (c === "," && depth === 0) {
      add(i);
      start = i + 1;
    }
  }
  add(close);
  return fields;
}

const ERROR_FIELDS = ["instancePath", "schemaPath", "keyword", "params"];

/** An error site's rewrite, and the inner edits (inside its params) it already applied. */
interface ErrorSiteEdit {
  edit: Edit;
  consumed: Edit[];
}

function errorSiteEdits(code: string, masked: string, inner: Edit[]): ErrorSiteEdit[] {
  const sites: ErrorSiteEdit[] = [];
  for (const m of masked.matchAll(/const (err\d+) = \{/g)) {
    const name = m[1];
    const open = m.index + m[0].length - 1;
    const close = closingBracket(masked, open);
    const tail = `;if(vErrors === null){vErrors = [${name}];}else {vErrors.push(${name});}errors++;`;
    if (!code.startsWith(tail, close + 1)) continue;
    const fields = objectFields(code, masked, open, close);
    if (fields.length !== ERROR_FIELDS.length || fields.some((f, i) => f.key !== ERROR_FIELDS[i])) continue;
    const end = close + 1 + tail.length;
    const within = inner.filter((e) => e.start >= m.index && e.end <= end);
    // The object without schemaPath (from the comma ending instancePath to the one ending schemaPath's value).
    const piece = (from: number, to: number) =>
      applyEdits(
        code,
        within.filter((e) => e.start >= from && e.end <= to),
        from,
        to,
      );
    const object = piece(open, fields[0].end) + piece(fields[1].end, close + 1);
    sites.push({
      edit: {
        start: m.index,
        end,
        text: `vErrors === null ? vErrors = [${object}] : vErrors.push(${object});errors++;`,
      },
      consumed: within,
    });
  }
  // ajv's error variables are local to their site: three mentions each (a name recurs once per
  // validating function, e.g. one per definition). More would be a shape not understood.
  const mentions = new Map<string, number>();
  for (const m of masked.matchAll(/(?<![\w$.])err\d+(?![\w$])/g)) mentions.set(m[0], (mentions.get(m[0]) ?? 0) + 1);
  const siteName = (edit: Edit) => /^const (err\d+)/.exec(code.slice(edit.start, edit.start + 20))![1];
  const sitesNamed = new Map<string, number>();
  for (const { edit } of sites) sitesNamed.set(siteName(edit), (sitesNamed.get(siteName(edit)) ?? 0) + 1);
  for (const { edit } of sites) {
    const name = siteName(edit);
    if (mentions.get(name) !== 3 * sitesNamed.get(name)!)
      throw new Error(`generated validator uses ${name} outside its error site`);
  }
  return sites;
}

const ACCESSOR = /\.([A-Za-z_$][\w$]*)|\[("(?:[^"\\\n]|\\.)*"|\d+)\]/y;

/**
 * Edits replacing each schema constant whose every use is a static read: a primitive read becomes its
 * literal, an object or array read becomes its own constant (`inlinedN`, one per path), declared where
 * the schema constant was, so error paths still allocate nothing (ajv hands out `schema.enum` itself).
 */
function schemaConstantEdits(code: string, masked: string): Edit[] {
  const edits: Edit[] = [];
  // The names given to the read values must be new to the code.
  if (/(?<![\w$.])inlined\d+/.test(masked)) return edits;
  const counter = { next: 0 };
  for (const m of masked.matchAll(/(?:^|[;}\n])const (schema\d+) = (?=[{[])/g)) {
    const open = m.index + m[0].length;
    const close = closingBracket(masked, open);
    if (masked[close + 1] !== ";") continue;
    const declStart = m.index + m[0].indexOf("const");
    edits.push(
      ...(inlineOne(code, masked, m[1], declStart, close + 2, JSON.parse(code.slice(open, close + 1)), counter) ?? []),
    );
  }
  return edits;
}

/** Edits replacing every read of `name` by its value; undefined when some use is not a static read. */
function inlineOne(
  code: string,
  masked: string,
  name: string,
  declStart: number,
  declEnd: number,
  value: unknown,
  counter: { next: number },
): Edit[] | undefined {
  const edits: Edit[] = [];
  const constants = new Map<string, { name: string; value: unknown }>();
  for (const use of masked.matchAll(new RegExp(`(?<![\\w$.])${name}(?![\\w$])`, "g"))) {
    if (use.index === declStart + "const ".length) continue;
    let at = use.index + name.length;
    let current: unknown = value;
    let steps = 0;
    for (;;) {
      ACCESSOR.lastIndex = at;
      const a = ACCESSOR.exec(code);
      if (!a) break;
      const key = a[1] ?? JSON.parse(a[2]);
      if (current === null || typeof current !== "object" || !hasOwn(current as object, String(key))) return undefined;
      current = (current as Record<string, unknown>)[String(key)];
      at = ACCESSOR.lastIndex;
      steps++;
    }
    // A bare use, a call, or an assignment through the path is not a static read.
    if (!steps || /^\s*(?:\(|=[^=]|\+\+|--)/.test(masked.slice(at, at + 3))) return undefined;
    if (current === null || typeof current !== "object") {
      edits.push({ start: use.index, end: at, text: jsLiteral(current) });
      continue;
    }
    const path = code.slice(use.index, at);
    let constant = constants.get(path);
    if (!constant) constants.set(path, (constant = { name: `inlined${counter.next++}`, value: current }));
    edits.push({ start: use.index, end: at, text: constant.name });
  }
  const declarations = [...constants.values()].map((c) => `const ${c.name} = ${jsLiteral(c.value)};`).join("");
  edits.push({ start: declStart, end: declEnd, text: declarations });
  return edits;
}

function integerCheckEdits(code: string, masked: string): Edit[] {
  const edits: Edit[] = [];
  for (const m of masked.matchAll(
    /\(\(\(typeof ([\w$]+) == " {6}"\) && \(!\(\1 % 1\) && !isNaN\(\1\)\)\) && \(isFinite\(\1\)\)\)/g,
  )) {
    if (code.startsWith(`(((typeof ${m[1]} == "number")`, m.index))
      edits.push({ start: m.index, end: m.index + m[0].length, text: `Number.isInteger(${m[1]})` });
  }
  return edits;
}

const SIGNATURE =
  /function validate\d+\(data, \{instancePath="", parentData, parentDataProperty, rootData=data\}=\{\}\)\{/g;

/** Drops `parentData`, `parentDataProperty` and `rootData` from ajv's signatures when nothing else names them. */
function unusedParameterEdits(masked: string): Edit[] {
  const signatures = [...masked.matchAll(SIGNATURE)];
  if (!signatures.length) return [];
  const mentions = (name: string) => masked.match(new RegExp(`(?<![\\w$.])${name}(?![\\w$])`, "g"))?.length ?? 0;
  const kept = ["parentData", "parentDataProperty", "rootData"].filter((name) => mentions(name) > signatures.length);
  const options = ['instancePath=""', ...kept.map((name) => (name === "rootData" ? "rootData=data" : name))].join(", ");
  return signatures.map((m) => {
    const name = /validate\d+/.exec(m[0])![0];
    return { start: m.index, end: m.index + m[0].length, text: `function ${name}(data, {${options}}={}){` };
  });
}

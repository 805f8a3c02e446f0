/** What one normalization run collects, and how a rule records a note. */
import type { RuleTarget } from "../runtime/validation/rule-types.js";
import type { SchemaFileError } from "../shared/errors.js";
import { makeNote, type Note, type NoteCode } from "../shared/notes.js";

/** What one normalization run collects while walking a schema. */
export interface Ctx {
  file: string;
  /** The schema whose `#` a local `$ref` means: the input (or output) schema itself. */
  root: unknown;
  /** Pointer of `root` in the file. */
  rootPointer: string;
  /** draft-07 (default) or 2020-12 (from the root's `$schema`): how `$ref` siblings and `items` read. */
  draft: "draft-07" | "2020-12";
  notes: Note[];
  ruleTargets: RuleTarget[];
  known: Map<string, { path: string[]; names: Set<string> | null }>;
  /** Errors of sub-schemas: collected so one run reports every problem, not only the first. */
  errors: SchemaFileError[];
}

/** Records a note; its severity comes from the registry (notes.ts). */
export function note(ctx: Ctx, code: NoteCode, pointer: string, message: string) {
  ctx.notes.push(makeNote(code, pointer, message));
}

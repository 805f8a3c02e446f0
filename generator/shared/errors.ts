import { NOTE_CODES, type Note, type NoteCode } from "./notes.js";

/**
 * A problem with a schema file, located by file and JSON pointer. The only error type the pipeline
 * throws for bad input. `ruleId` is a code of the note registry (notes.ts).
 */
export class SchemaFileError extends Error {
  constructor(
    readonly file: string,
    readonly pointer: string,
    readonly detail: string,
    readonly ruleId: NoteCode,
    /** Where in the file's text, when known (the position lint reports). */
    readonly position?: { line: number; column: number },
  ) {
    super(
      `${file}${pointer ? `#${pointer}` : ""}: ${detail}${position ? ` (line ${position.line}, column ${position.column})` : ""}`,
    );
    this.name = "SchemaFileError";
  }
}

/** A schema file's problem as a note (at its code's own severity), for the one list of a file's notes. */
export const noteOf = (e: SchemaFileError): Note => ({
  code: e.ruleId,
  severity: NOTE_CODES[e.ruleId].severity,
  pointer: e.pointer,
  message: e.detail,
});

/** Several problems at once, so a user fixes all of them in one round. */
export class SchemaErrors extends Error {
  /** `notes`: what the normalizer noticed before failing (warnings), for lint. */
  /** `partial`: the normalized schema as far as it could be read, placeholders where it failed. */
  constructor(
    readonly errors: SchemaFileError[],
    readonly notes: Note[] = [],
    readonly partial?: object,
  ) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "SchemaErrors";
  }
}

/**
 * A failure the user can act on that is not about one schema file (a missing folder, an output
 * folder that is not ours, an unbuilt runtime): the CLI prints its message, never a stack.
 * `exitCode` 1: the job failed; 2: the setup or the command line is wrong.
 */
export class GeneratorError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "GeneratorError";
  }
}

/** Own-property helpers: schema keys such as `__proto__` must become plain data, never prototype changes. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  // Plain assignment is safe (and much faster) for every key but the one with a setter.
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export function hasOwn(target: object, key: string): boolean {
  return Object.hasOwn(target, key);
}

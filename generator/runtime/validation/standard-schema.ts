/**
 * Standard Schema v1 (https://standardschema.dev) for each model's input, so it plugs into tRPC,
 * Hono, TanStack Form, react-hook-form resolvers and other libraries that accept Standard Schema.
 * The interface is copied from `@standard-schema/spec` (types only, as the spec invites), so the
 * generated package keeps zero runtime dependencies; a test checks it against the published types.
 */
import type { ValidationResult } from "./issues.js";
import { splitPointer } from "../json-pointer.js";

/** The Standard Schema interface (v1), as published in `@standard-schema/spec`. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown, options?: Options | undefined) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  type Result<Output> = SuccessResult<Output> | FailureResult;
  interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  interface Options {
    readonly libraryOptions?: Record<string, unknown> | undefined;
  }
  interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  interface PathSegment {
    readonly key: PropertyKey;
  }
  interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["input"];
  type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["output"];
}

/** A model's schema-only validation, synchronous: what Standard Schema's `validate` checks. */
export interface SyncSchemaValidation<Input> extends StandardSchemaV1<Input, Input> {
  readonly "~standard": SyncProps<Input>;
}

/** Standard Schema's properties with a `validate` that never returns a Promise. */
export interface SyncProps<Input> extends Omit<StandardSchemaV1.Props<Input, Input>, "validate"> {
  readonly validate: (value: unknown, options?: StandardSchemaV1.Options | undefined) => StandardSchemaV1.Result<Input>;
}

export const STANDARD_SCHEMA_VENDOR = "runcomfy-codegen";

/**
 * A JSON pointer (`/image_urls/0`) as a Standard Schema path (`["image_urls", 0]`): array indices
 * become numbers, read against the value itself so a key such as `"0"` in an object stays a string.
 */
export function pointerToPath(pointer: string, value: unknown): PropertyKey[] {
  if (!pointer) return [];
  const path: PropertyKey[] = [];
  let at: unknown = value;
  for (const key of splitPointer(pointer)) {
    const index = Array.isArray(at) && /^(0|[1-9]\d*)$/.test(key) ? Number(key) : undefined;
    path.push(index ?? key);
    at =
      at !== null && typeof at === "object" && Object.hasOwn(at, key)
        ? (at as Record<string, unknown>)[key]
        : undefined;
  }
  return path;
}

/**
 * Builds the `standardSchema` export of a model from its synchronous schema validation. Issues are
 * the validation's errors (warnings do not fail, as in `validateSchema`).
 */
export function createStandardSchema<Input>(
  validateSchema: (input: unknown) => ValidationResult,
): SyncSchemaValidation<Input> {
  return {
    "~standard": {
      version: 1,
      vendor: STANDARD_SCHEMA_VENDOR,
      validate(value: unknown): StandardSchemaV1.Result<Input> {
        const result = validateSchema(value);
        if (result.valid) return { value: value as Input };
        return {
          issues: result.issues
            .filter((i) => i.severity === "error")
            .map((i) => ({ message: i.message, path: pointerToPath(i.path, value) })),
        };
      },
    },
  };
}

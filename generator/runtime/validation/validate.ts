/**
 * Validation of a model's input: the precompiled schema validator, then the media rules, whose
 * metrics come from probing each referenced URL (items of one input probed concurrently, each URL
 * once per call). Every problem is returned in one list.
 */
import { DATA_URI_MAX_BYTES, dataUriByteLength, dataUriTypeMismatch } from "../media/data-uri.js";
import { withFormatOptions, type FormatOptions } from "./formats.js";
import { issueFromAjv, resultOf, type AjvError, type ValidationIssue, type ValidationResult } from "./issues.js";
import { joinPointer, valuesAt } from "../json-pointer.js";
import { PROBE_NEEDS, probeNeedsOf } from "./metrics.js";
import { isIndeterminate, ProbeError, probeMedia, type ProbeOptions, type ProbeResult } from "../media/probe.js";
import { evaluateRule, formatExpr, formatRule } from "./rule-eval.js";
import { MEDIA_NOUN, type CheckedRule, type MediaInput, type RuleTarget } from "./rule-types.js";
import { unknownPropertyIssues, type KnownProperties, type UnknownPropertiesMode } from "./unknown-properties.js";

export type { ValidationIssue, ValidationResult } from "./issues.js";
export type { FormatOptions } from "./formats.js";
export type { ProbeOptions } from "../media/probe.js";
export type { KnownProperties, UnknownPropertiesMode } from "./unknown-properties.js";

/** A validator as ajv's standalone code exports it. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

export interface ModelDefinition {
  modelId: string;
  validator: CompiledValidator;
  ruleTargets: readonly RuleTarget[];
  /** The property names each input object declares: other keys are unknown properties. */
  knownProperties?: readonly KnownProperties[];
  /** Where the input takes media (a format, or media rules): an empty value there is sent with a warning. */
  mediaInputs?: readonly MediaInput[];
}

/** Options of schema validation. */
export interface SchemaOptions extends FormatOptions {
  /** A key the schema does not declare: "warning" (default: sent as is), "error", or "ignore". */
  unknownProperties?: UnknownPropertiesMode;
}

export interface ValidateOptions extends SchemaOptions {
  /** Probe media to check the `validations` rules (default true); pass options to bound the probes. */
  probe?: boolean | ProbeOptions;
  /**
   * What a probe that could not find out (network error, timeout, CORS in a browser, 5xx or 429 from
   * the media host) becomes: a `warning` ("media rules not checked here", the input stays valid, as
   * RunComfy fetches media from its own servers) or an `error`. Default "warning". Definite answers
   * (404, not an image, a rule that fails, a refused address) are errors either way.
   */
  probeFailures?: "error" | "warning";
  /**
   * Probe loopback, private and link-local addresses too (local development only: RunComfy cannot
   * reach them). The same as `probe: { allowPrivateNetwork }`, beside `allowHttp` where users look for it.
   */
  allowPrivateNetwork?: boolean;
}

/** Schema-only validation, synchronous. */
export function validateSchema(def: ModelDefinition, input: unknown, options?: SchemaOptions): ValidationResult {
  return resultOf(schemaIssues(def, input, options));
}

function schemaIssues(def: ModelDefinition, input: unknown, options?: SchemaOptions): ValidationIssue[] {
  const unknown = unknownPropertyIssues(def.knownProperties, input, options?.unknownProperties);
  const ok = withFormatOptions(options, () => def.validator(input));
  const errors = ok ? [] : (def.validator.errors ?? []).map(issueFromAjv);
  return [...errors, ...emptyMediaIssues(def, input, errors), ...unknown, ...dataUriIssues(input, "")];
}

/**
 * A warning for each empty media value the schema lets through (`""` at an optional media input, `[]`
 * for a list the schema lets be empty): RunComfy's docs send them for inputs left unset, and they are
 * sent as they are. Where a value is required the schema refuses `""` (`minLength: 1`, an error here).
 */
function emptyMediaIssues(def: ModelDefinition, input: unknown, errors: ValidationIssue[]): ValidationIssue[] {
  const refused = new Set(errors.map((e) => e.path));
  const issues: ValidationIssue[] = [];
  for (const { path, media } of def.mediaInputs ?? []) {
    const list = path[path.length - 1] === "*";
    const what = media ? MEDIA_NOUN[media].replace(/^an? /, "") : "media";
    for (const { pointer, value } of valuesAt(input, list ? path.slice(0, -1) : path)) {
      if (refused.has(pointer)) continue;
      const empty = list ? Array.isArray(value) && value.length === 0 : value === "";
      if (!empty) continue;
      issues.push({
        path: pointer,
        source: "schema",
        severity: "warning",
        keyword: "emptyMedia",
        message: `empty ${list ? "list" : "value"}: ${list ? "[]" : '""'} is sent to RunComfy as it is (its docs send it for a media input left unset); leave the key out to send no ${what}`,
      });
    }
  }
  return issues;
}

/**
 * Data URIs over RunComfy's request cap (its own clients refuse to send them, so the service never
 * runs them), and a warning for one whose bytes are not the type it declares.
 */
function dataUriIssues(value: unknown, pointer: string): ValidationIssue[] {
  if (typeof value === "string") return value.startsWith("data:") ? oneDataUriIssues(value, pointer) : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => dataUriIssues(v, joinPointer(pointer, i)));
  if (value !== null && typeof value === "object")
    return Object.keys(value).flatMap((k) =>
      dataUriIssues((value as Record<string, unknown>)[k], joinPointer(pointer, k)),
    );
  return [];
}

function oneDataUriIssues(uri: string, pointer: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  // A malformed one has no size to tell: the probe reports it where the media rules read its bytes.
  const bytes =
    uri.length < DATA_URI_MAX_BYTES
      ? 0
      : (() => {
          try {
            return dataUriByteLength(uri);
          } catch {
            return 0;
          }
        })();
  if (bytes > DATA_URI_MAX_BYTES) {
    const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
    issues.push({
      path: pointer,
      source: "schema",
      severity: "error",
      keyword: "dataUriSize",
      actual: bytes,
      limit: DATA_URI_MAX_BYTES,
      message: `data URI of ${mib(bytes)}: RunComfy's clients cap a request at ${mib(DATA_URI_MAX_BYTES)}; host the file and pass its https URL`,
    });
  }
  const mismatch = dataUriTypeMismatch(uri);
  if (mismatch)
    issues.push({
      path: pointer,
      source: "schema",
      severity: "warning",
      keyword: "dataUriType",
      message: `data URI declared ${mismatch.declared} holds ${mismatch.found} bytes: sent as is, but the service may read it by either type; declare ${mismatch.found}`,
    });
  return issues;
}

const round = (n: number) => (Number.isInteger(n) ? n : Math.round(n * 10_000) / 10_000);

/** The issue for a probe that failed: definite failures are errors, indeterminate ones as `probeFailures` says. */
function probeFailureIssue(pointer: string, error: unknown, probeFailures: "error" | "warning"): ValidationIssue {
  const reason = error instanceof ProbeError ? error.message : String(error);
  if (error instanceof ProbeError && isIndeterminate(error)) {
    return {
      path: pointer,
      source: "rule",
      severity: probeFailures,
      message: `media rules not checked here: ${reason}`,
    };
  }
  return { path: pointer, source: "rule", severity: "error", message: `could not check the media rules: ${reason}` };
}

/** Schema and rules. */
export async function validateModelInput(
  def: ModelDefinition,
  input: unknown,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const issues = schemaIssues(def, input, options);
  const badPaths = new Set(issues.map((i) => i.path));
  const probeOptions = probeOptionsOf(options);
  const probes = new Map<string, Promise<ProbeResult>>();
  const pending: Promise<void>[] = [];

  for (const target of def.ruleTargets) {
    for (const { pointer, value } of valuesAt(input, target.path)) {
      issues.push(...uncheckedRuleIssues(target, pointer));
      const checked = target.rules.filter((r) => r.kind === "checked");
      if (!checked.length || !probeOptions || badPaths.has(pointer)) continue;
      const notMedia = notMediaIssue(target, pointer, value);
      if (notMedia) {
        issues.push(notMedia);
        continue;
      }
      const needs = probeNeedsOf(checked.flatMap((r) => r.metrics));
      const key = `${PROBE_NEEDS.map((need) => needs[need]).join("|")}|${value}`;
      let probe = probes.get(key);
      if (!probe) {
        probe = probeMedia(value as string, target.media, needs, probeOptions);
        probes.set(key, probe);
      }
      pending.push(
        probe.then(
          (measured) => void issues.push(...measuredRuleIssues(checked, measured, pointer, target.media)),
          (error: unknown) => {
            if (error instanceof ProbeError && error.code === "aborted") throw error;
            issues.push(probeFailureIssue(pointer, error, options.probeFailures ?? "warning"));
          },
        ),
      );
    }
  }
  await Promise.all(pending);
  // Stable order whatever order the probes finished in: schema issues first, then by path.
  const order = (i: ValidationIssue) => (i.source === "schema" ? 0 : 1);
  issues.sort((a, b) => order(a) - order(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return resultOf(issues);
}

/** The probe's options (`allowHttp`, `allowPrivateNetwork` apply to it too); none when probing is off. */
function probeOptionsOf(options: ValidateOptions): ProbeOptions | undefined {
  if (options.probe === false) return undefined;
  return {
    allowHttp: options.allowHttp,
    allowPrivateNetwork: options.allowPrivateNetwork,
    ...(options.probe === true || options.probe === undefined ? {} : options.probe),
  };
}

/** A warning for each rule of the target that cannot be checked, at one value's pointer. */
function uncheckedRuleIssues(target: RuleTarget, pointer: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const rule of target.rules) {
    if (rule.kind === "unchecked") {
      issues.push({
        path: pointer,
        source: "rule",
        severity: "warning",
        rule: rule.source.rule,
        message: `rule not checked (${rule.reason}): ${rule.source.error || rule.source.rule}`,
      });
    }
  }
  return issues;
}

/** A warning when the value is not a media URL the rules could mean (then it is not probed), else undefined. */
function notMediaIssue(target: RuleTarget, pointer: string, value: unknown): ValidationIssue | undefined {
  if (typeof value !== "string")
    return {
      path: pointer,
      source: "rule",
      severity: "warning",
      message: "media rules apply to URLs; this value is not a string, so they were not checked",
    };
  // A property without a media format whose value is plain text (rules on a `prompt`): the rules
  // cannot mean this value, and refusing it would refuse what the service accepts.
  if (target.media === null && !/^(?:https?|data):/i.test(value))
    return {
      path: pointer,
      source: "rule",
      severity: "warning",
      message: "media rules apply to URLs; this value is not a URL, so they were not checked",
    };
  return undefined;
}

/** The rules on what the probe measured: an error for each that fails, a warning for each not measured. */
function measuredRuleIssues(
  checked: readonly CheckedRule[],
  measured: ProbeResult,
  pointer: string,
  media: RuleTarget["media"],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const rule of checked) {
    const outcome = evaluateRule(rule, measured);
    if (outcome.status === "fail") {
      issues.push({
        path: pointer,
        source: "rule",
        severity: "error",
        rule: rule.source.rule,
        actual: outcome.actual,
        limit: rule.limit,
        message: `${rule.source.error || "media rule failed"} (measured ${formatExpr(rule.expr)} = ${round(outcome.actual)}; must be ${rule.op} ${rule.limit})`,
      });
    } else if (outcome.status === "unmeasured") {
      issues.push({
        path: pointer,
        source: "rule",
        severity: "warning",
        rule: rule.source.rule,
        limit: rule.limit,
        message: `rule not checked: ${outcome.missing.join(", ")} cannot be measured for this ${media ?? "media"} (${formatRule(rule)})`,
      });
    }
  }
  return issues;
}

/**
 * The project's config file, `runcomfy-codegen.config.json`, read by every command: folders, the
 * generated package's name and version, and rule severities. Checked against its own JSON Schema
 * (config.schema.json, which editors use too); a bad file is a usage error with every problem listed.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { GeneratorError } from "./errors.js";
import { NOTE_CODES, type NoteCode, type SeverityPolicy, type SeveritySetting } from "./notes.js";
import { configJsonSchema } from "./config-schema.js";
import { findUp } from "./paths.js";

export const CONFIG_FILE = "runcomfy-codegen.config.json";

export interface CodegenConfig {
  /** The config file read, or undefined when there is none (all defaults). */
  file?: string;
  /** Folders, relative to the process's folder (paths in the file are relative to the file). */
  schemas: string;
  output: string;
  packageName: string;
  packageVersion: string;
  severity: SeverityPolicy;
}

export const DEFAULT_CONFIG: CodegenConfig = {
  schemas: "schemas",
  output: "generated",
  packageName: "runcomfy-models",
  packageVersion: "0.1.0",
  severity: {},
};

interface ConfigFile {
  schemas?: string;
  output?: string;
  package?: { name?: string; version?: string };
  strict?: boolean;
  rules?: Partial<Record<NoteCode, SeveritySetting>>;
}

type ConfigValidator = ReturnType<InstanceType<typeof import("./ajv.js").Ajv07Class>["compile"]>;
let validateConfigFile: ConfigValidator | undefined;

/** Problems of a parsed config file (schema, then rules that would lower an error). */
export async function configProblems(value: unknown): Promise<string[]> {
  // ajv is loaded only when there is a config file to check: every command's start-up would pay for it.
  const { Ajv07Class } = await import("./ajv.js");
  // The schema object itself (generator/config.schema.json is its copy for editors), draft-07.
  validateConfigFile ??= new Ajv07Class({ allErrors: true, strict: false }).compile(configJsonSchema());
  if (!validateConfigFile(value)) {
    return (validateConfigFile.errors ?? []).map((e) => {
      const where = e.instancePath || "/";
      if (e.keyword === "additionalProperties")
        return `${where}: unknown key ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
      if (e.keyword === "propertyNames")
        return `${where}: unknown rule id ${JSON.stringify((e.params as { propertyName: string }).propertyName)}`;
      if (e.keyword === "enum")
        return `${where}: ${e.message} (${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")})`;
      return `${where}: ${e.message}`;
    });
  }
  const problems: string[] = [];
  for (const [code, setting] of Object.entries((value as ConfigFile).rules ?? {})) {
    if (NOTE_CODES[code as NoteCode].severity === "error" && setting !== "error") {
      problems.push(
        `/rules/${code}: "${code}" is an error (the generated package would be wrong); it can only stay "error"`,
      );
    }
  }
  return problems;
}

/**
 * Reads the config: `explicit` (from --config) must exist; otherwise the nearest
 * `runcomfy-codegen.config.json` in `cwd` or a folder above it (as ESLint and Vite find theirs) is
 * read when there is one, and defaults apply when not.
 */
export async function loadConfig(cwd: string, explicit?: string): Promise<CodegenConfig> {
  const file = explicit ? path.resolve(cwd, explicit) : findUp(cwd, CONFIG_FILE);
  if (file === undefined || !existsSync(file)) {
    if (explicit) throw new GeneratorError(`no config file at ${explicit}`, 2);
    return DEFAULT_CONFIG;
  }
  const shown = path.relative(cwd, file) || file;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new GeneratorError(`${shown} is not valid JSON: ${(e as Error).message}`, 2);
  }
  const problems = await configProblems(value);
  if (problems.length)
    throw new GeneratorError(`${shown} is not a valid config file:\n${problems.map((p) => `  ${p}`).join("\n")}`, 2);
  const c = value as ConfigFile;
  const dir = path.dirname(file);
  // The file is the project's: its folders, named or default, are beside it (it may be in a folder
  // above cwd). Relative to the process's folder, which is what file system calls resolve against.
  const folder = (p: string | undefined, fallback: string) =>
    path.relative(process.cwd(), path.resolve(dir, p ?? fallback)) || ".";
  return {
    file,
    schemas: folder(c.schemas, DEFAULT_CONFIG.schemas),
    output: folder(c.output, DEFAULT_CONFIG.output),
    packageName: c.package?.name ?? DEFAULT_CONFIG.packageName,
    packageVersion: c.package?.version ?? DEFAULT_CONFIG.packageVersion,
    severity: { ...(c.strict ? { strict: true } : {}), ...(c.rules ? { rules: c.rules } : {}) },
  };
}

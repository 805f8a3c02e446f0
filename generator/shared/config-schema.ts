/**
 * The JSON Schema of runcomfy-codegen.config.json (generator/config.schema.json, for editors and for
 * the loader), built from the note registry so its rule ids never fall behind: `npm run build`
 * rewrites the file when the registry changed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { NOTE_CODES } from "./notes.js";
import { PACKAGE_ROOT } from "./paths.js";

export const CONFIG_SCHEMA_PATH = path.join(PACKAGE_ROOT, "generator", "config.schema.json");

const SEMVER =
  "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$";
const NPM_NAME = "^(@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]*$";

export function configJsonSchema() {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://github.com/runcomfy-codegen/config.schema.json",
    title: "runcomfy-codegen configuration (runcomfy-codegen.config.json)",
    description:
      "Read by every runcomfy-codegen command from the current folder (or --config PATH). Paths are relative to this file. Command-line options win over it.",
    type: "object",
    additionalProperties: false,
    properties: {
      $schema: { type: "string" },
      schemas: {
        type: "string",
        minLength: 1,
        description: "Folder of schema files (<model_id>.json). Default: schemas",
      },
      output: { type: "string", minLength: 1, description: "Folder of the generated package. Default: generated" },
      package: {
        type: "object",
        additionalProperties: false,
        description: "The generated package.json fields.",
        properties: {
          name: {
            type: "string",
            pattern: NPM_NAME,
            maxLength: 214,
            description: "npm package name. Default: runcomfy-models",
          },
          version: { type: "string", pattern: SEMVER, description: "Semantic version. Default: 0.1.0" },
        },
      },
      strict: {
        type: "boolean",
        description: "Rules that cannot be checked are errors in lint and generate (as --strict). Default: false",
      },
      rules: {
        type: "object",
        description:
          "Severity per rule id (lint and generate). Warnings and infos can be set to off, info, warning or error; errors cannot be lowered (the package would be wrong).",
        propertyNames: { enum: Object.keys(NOTE_CODES).sort() },
        additionalProperties: { enum: ["off", "info", "warning", "error"] },
      },
    },
  };
}

/** Rewrites generator/config.schema.json if the registry changed it; true when written. */
export function writeConfigSchema(file = CONFIG_SCHEMA_PATH): boolean {
  const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  let current = "";
  try {
    current = readFileSync(file, "utf8");
  } catch {
    // not there yet
  }
  if (current === text) return false;
  writeFileSync(file, text);
  return true;
}

import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const SCHEMAS = path.join(ROOT, "schemas");
export const QUIRKS = path.join(ROOT, "test", "fixtures", "quirks");

/** A temp folder removed after the test file (vitest's afterAll calls the returned cleanup). */
export function tempDir(prefix = "rcg-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A schemas folder with the seed models plus the quirky fixture, as a user would drop it in. */
export function schemasWithQuirks(dir: string): string {
  const schemas = path.join(dir, "schemas");
  cpSync(SCHEMAS, schemas, { recursive: true });
  cpSync(QUIRKS, schemas, { recursive: true });
  return schemas;
}

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

/** Runs the CLI in-process and captures what it prints. */
export async function captureCli(argv: string[], options: { env?: Record<string, string | undefined>; isTTY?: boolean; stdin?: string; cwd?: string } = {}) {
  const { runCli } = await import("../generator/cli.js");
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdin: async () => options.stdin ?? "",
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? ROOT,
  });
  return { code, stdout, stderr };
}

/** The built CLI as a child process, as a user runs it (tests of behaviour only a real process shows). */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "../helpers.js";

export const CLI = path.join(ROOT, "dist/generator/cli.js");

/** Starts the CLI; `seen` resolves when `ready` matches its output (stdout and stderr together). */
export function spawnCli(args: string[], env: Record<string, string | undefined>, ready: RegExp, cwd = ROOT) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env } });
  let out = "";
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  const seen = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(m[0]);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", () => reject(new Error(`exited before ${ready}: ${out}`)));
  });
  return { child, seen, exited, output: () => out };
}

/**
 * Runs the CLI to its end (in `cwd`): exit code, stdout and stderr apart. An env value undefined
 * unsets it. `onSpawn` gets the child (to stop it after a failed test).
 */
export function runCliProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
  onSpawn?: (child: ChildProcess) => void,
  cwd = ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env } });
  onSpawn?.(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

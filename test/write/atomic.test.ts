/**
 * Atomic generation: the generator is killed (SIGKILL) at random moments while it replaces an old
 * output tree with a new one. Changed files are staged beside the output and committed with a
 * journal (write/staged.ts): a kill before the journal leaves the old tree untouched; a kill after it
 * leaves a committed write that the next run finishes before anything else (here
 * `recoverInterruptedWrite`, which the next run calls first). Either way the output is then exactly
 * the old tree or the new one. KILL_RUNS raises the number of kills.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../generator/mock/faults.js";
import { generate } from "../../generator/generate.js";
import { recoverInterruptedWrite } from "../../generator/write/write.js";
import { ROOT, SCHEMAS, schemasWithQuirks, tempDir, readTree } from "../helpers.js";

const KILLS = Number(process.env.KILL_RUNS ?? 12);
const tmp = tempDir("rcg-atomic-");
afterAll(tmp.cleanup);

function runAndKill(args: string[], afterMs: number): Promise<"killed" | "finished"> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "dist/generator/cli.js"), ...args], { stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), afterMs);
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === "SIGKILL" ? "killed" : "finished");
    });
  });
}

describe("atomic generation", () => {
  it("a killed generator leaves exactly the old tree or the new one", async () => {
    const oldSchemas = path.join(tmp.dir, "old");
    cpSync(SCHEMAS, oldSchemas, { recursive: true });
    const newSchemas = schemasWithQuirks(path.join(tmp.dir, "new"));
    // The new tree also changes an existing model, so the trees differ in added and changed files.
    const edit = path.join(newSchemas, "bytedance/dreamina-4-0/edit.json");
    writeFileSync(edit, readFileSync(edit, "utf8").replace('"maxLength": 800', '"maxLength": 700'));
    const reference = path.join(tmp.dir, "reference");
    await generate({ schemasDir: oldSchemas, outDir: path.join(reference, "old"), cache: false });
    await generate({ schemasDir: newSchemas, outDir: path.join(reference, "new"), cache: false });
    const oldTree = await readTree(path.join(reference, "old"));
    const newTree = await readTree(path.join(reference, "new"));
    expect(oldTree).not.toEqual(newTree);

    const random = seededRandom(7);
    const out = path.join(tmp.dir, "generated");
    const args = ["generate", "--schemas", newSchemas, "--out", out, "--no-cache", "--quiet"];
    // Calibrate: kill times spread over a whole run on this machine, write phase included.
    cpSync(path.join(reference, "old"), out, { recursive: true, force: true });
    const t0 = Date.now();
    expect(await runAndKill(args, 600_000)).toBe("finished");
    const duration = Date.now() - t0;
    const outcomes = { old: 0, new: 0, committedUnfinished: 0, killed: 0 };
    for (let i = 0; i < KILLS; i++) {
      rmSync(out, { recursive: true, force: true });
      cpSync(path.join(reference, "old"), out, { recursive: true });
      // Without the cache, a run takes long enough for kills to land in every phase.
      const result = await runAndKill(args, Math.floor(duration * (0.3 + 0.75 * random())));
      if (result === "killed") outcomes.killed++;
      if (existsSync(path.join(tmp.dir, ".generated.staging", ".journal.json"))) outcomes.committedUnfinished++;
      await recoverInterruptedWrite(out);
      expect(existsSync(path.join(tmp.dir, ".generated.staging"))).toBe(false);
      const tree = await readTree(out);
      if (JSON.stringify([...tree]) === JSON.stringify([...oldTree])) outcomes.old++;
      else {
        expect(tree).toEqual(newTree);
        outcomes.new++;
      }
      // The next run always completes to the new tree, whatever the kill left.
      await generate({ schemasDir: newSchemas, outDir: out, cache: false });
      expect(await readTree(out)).toEqual(newTree);
    }
    expect(outcomes.old + outcomes.new).toBe(KILLS);
    expect(outcomes.killed).toBeGreaterThan(0);
    console.log(
      `atomic generation: run takes ${duration} ms; ${KILLS} runs, ${outcomes.killed} killed; old tree ${outcomes.old}, new tree ${outcomes.new}, committed but unfinished ${outcomes.committedUnfinished}`,
    );
  }, 180_000);
});

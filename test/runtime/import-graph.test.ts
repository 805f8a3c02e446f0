/** The runtime's modules import each other without a circle, so each can be read (and bundled) bottom-up. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { walkFiles } from "../../generator/shared/walk-files.js";
import { ROOT } from "../helpers.js";

const RUNTIME = path.join(ROOT, "generator", "runtime");

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const rel of walkFiles(RUNTIME).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(path.join(RUNTIME, rel), "utf8");
    const targets = [...text.matchAll(/\bfrom\s+"(\.\.?\/[^"]+)\.js"/g)].map((m) =>
      path.posix.normalize(path.posix.join(path.posix.dirname(rel), `${m[1]}.ts`)),
    );
    graph.set(rel, targets);
  }
  return graph;
}

it("has no import circle", () => {
  const graph = importGraph();
  const circles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (node: string, trail: string[]) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") {
      circles.push([...trail.slice(trail.indexOf(node)), node].join(" → "));
      return;
    }
    state.set(node, "open");
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, "done");
  };
  for (const node of graph.keys()) visit(node, []);
  expect(graph.size).toBeGreaterThan(20);
  expect(circles).toEqual([]);
});

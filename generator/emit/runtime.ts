/**
 * Compiles the runtime that ships inside the generated package (client, rule evaluator, probe,
 * validator helpers) from its TypeScript source in generator/runtime/ into ESM JavaScript and `.d.ts`.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { RUNTIME_SOURCE_DIR } from "../paths.js";

export interface RuntimeFile {
  /** Path inside the generated package, e.g. `runtime/probe.js`. */
  path: string;
  content: string;
  /** The source it came from, for the "generated from" header. */
  source: string;
}

export function runtimeSourceFiles(): string[] {
  return readdirSync(RUNTIME_SOURCE_DIR)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"))
    .sort()
    .map((f) => path.join(RUNTIME_SOURCE_DIR, f));
}

let compiled: { key: string; files: RuntimeFile[] } | undefined;

/** The runtime's sources, for cache keys: it is recompiled only when they change. */
export function runtimeSourceText(): string {
  return runtimeSourceFiles()
    .map((f) => `${path.basename(f)}:${readFileSync(f, "utf8")}`)
    .join("\0");
}

/** The runtime compiled once per process and source state (its sources rarely change between runs). */
export async function compileRuntime(): Promise<RuntimeFile[]> {
  const key = runtimeSourceText();
  if (compiled?.key !== key) compiled = { key, files: await compileRuntimeUncached(runtimeSourceFiles()) };
  return compiled.files;
}

async function compileRuntimeUncached(sources: string[]): Promise<RuntimeFile[]> {
  const { Project, ts } = await import("ts-morph");
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      declaration: true,
      strict: true,
      skipLibCheck: true,
      removeComments: false,
      newLine: ts.NewLineKind.LineFeed,
      outDir: "/runtime-out",
      rootDir: RUNTIME_SOURCE_DIR,
      types: ["node"],
      typeRoots: [path.join(RUNTIME_SOURCE_DIR, "..", "..", "node_modules", "@types")],
    },
    skipAddingFilesFromTsConfig: true,
  });
  project.addSourceFilesAtPaths(sources);
  const diagnostics = project.getPreEmitDiagnostics();
  if (diagnostics.length) throw new Error(`the runtime does not typecheck:\n${project.formatDiagnosticsWithColorAndContext(diagnostics)}`);
  const result = project.emitToMemory();
  return result
    .getFiles()
    .map((f) => {
      const rel = path.relative("/runtime-out", f.filePath).split(path.sep).join("/");
      const sourceName = rel.replace(/\.d\.ts$|\.js$/, ".ts");
      return { path: `runtime/${rel}`, content: f.text, source: `generator/runtime/${sourceName}` };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

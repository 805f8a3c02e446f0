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
  const emitted = new Map(project.emitToMemory().getFiles().map((f) => [path.relative("/runtime-out", f.filePath).split(path.sep).join("/"), f.text]));
  const declarations: RuntimeFile[] = [...emitted]
    .filter(([rel]) => rel.endsWith(".d.ts"))
    .map(([rel, text]) => ({ path: `runtime/${rel}`, content: text, source: `generator/runtime/${rel.replace(/\.d\.ts$/, ".ts")}` }));
  const modules = [...emitted.keys()].filter((rel) => rel.endsWith(".js")).sort();
  // One module for everything web-standard, one for the Node-only entry: importing the package then
  // costs two or three module loads instead of fifteen. Types stay per module (.d.ts).
  const core = modules.filter((m) => m !== NODE_ENTRY);
  const coreJs = await bundle(emitted, core.map((m) => `export * from "./${m}";`).join("\n"), new Set());
  const nodeJs = await bundle(emitted, `export * from "./${NODE_ENTRY}";`, new Set(core));
  return [
    ...declarations,
    { path: "runtime/core.js", content: coreJs, source: `generator/runtime/{${core.map((m) => m.replace(/\.js$/, "")).join(",")}}.ts` },
    { path: `runtime/${NODE_ENTRY}`, content: nodeJs, source: "generator/runtime/node.ts" },
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The Node-only entry point (`runcomfy-models/node`). */
export const NODE_ENTRY = "node.js";

/**
 * Bundles compiled runtime modules held in memory. Modules in `external` are not inlined: imports of
 * them become imports of `./core.js`, so both bundles share one copy of every class.
 */
async function bundle(files: Map<string, string>, entry: string, external: Set<string>): Promise<string> {
  const { build } = await import("esbuild");
  const result = await build({
    stdin: { contents: entry, resolveDir: "/runtime", sourcefile: "entry.js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    legalComments: "none",
    plugins: [
      {
        name: "runtime-in-memory",
        setup(b) {
          b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, external: true }));
          b.onResolve({ filter: /^\.\/.*\.js$/ }, (args) => {
            const name = args.path.slice(2);
            if (external.has(name)) return { path: "./core.js", external: true };
            if (!files.has(name)) return { errors: [{ text: `runtime module ${name} not found` }] };
            return { path: `/runtime/${name}`, namespace: "runtime" };
          });
          b.onLoad({ filter: /.*/, namespace: "runtime" }, (args) => ({ contents: files.get(path.basename(args.path))!, loader: "js", resolveDir: "/runtime" }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

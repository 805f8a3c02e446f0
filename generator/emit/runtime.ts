/**
 * Compiles the runtime that ships inside the generated package (client, rule evaluator, probe,
 * validator helpers) from its TypeScript source in generator/runtime/ into ESM JavaScript and `.d.ts`.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { GeneratorError } from "../shared/errors.js";
import { PACKAGE_ROOT, RUNTIME_SOURCE_DIR } from "../shared/paths.js";
import { walkFiles } from "../shared/walk-files.js";

export interface RuntimeFile {
  /** Path inside the generated package, e.g. `runtime/media/probe.js`. */
  path: string;
  content: string;
  /** The source it came from, for the "generated from" header. */
  source: string;
}

/** The runtime's sources, in folders by concern (client/, media/, validation/, …). */
export function runtimeSourceFiles(): string[] {
  return walkFiles(RUNTIME_SOURCE_DIR)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"))
    .map((f) => path.join(RUNTIME_SOURCE_DIR, f));
}

/** Where `npm run build` puts the compiled runtime (it does not depend on any schema). */
export const BUILT_RUNTIME_DIR = path.join(PACKAGE_ROOT, "dist", "runtime");
const MANIFEST = "manifest.json";

/** Compiles the runtime and writes it to dist/runtime: part of `npm run build`. */
export async function buildRuntime(outDir = BUILT_RUNTIME_DIR): Promise<RuntimeFile[]> {
  const files = await compileRuntime(runtimeSourceFiles());
  rmSync(outDir, { recursive: true, force: true });
  for (const f of files) {
    const target = path.join(outDir, f.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, f.content);
  }
  writeFileSync(
    path.join(outDir, MANIFEST),
    JSON.stringify(
      { sourceHash: sourceHash(), files: files.map(({ path: p, source }) => ({ path: p, source })) },
      null,
      2,
    ),
  );
  return files;
}

function sourceHash(): string {
  const hash = createHash("sha256");
  for (const f of runtimeSourceFiles()) hash.update(path.relative(RUNTIME_SOURCE_DIR, f)).update(readFileSync(f));
  return hash.digest("hex");
}

/** The built runtime; an error that says what to run when it is missing or older than its sources. */
export function loadBuiltRuntime(dir = BUILT_RUNTIME_DIR): RuntimeFile[] {
  let manifest: { sourceHash: string; files: { path: string; source: string }[] };
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST), "utf8"));
  } catch {
    throw new GeneratorError(
      `the runtime is not built (${path.join(dir, MANIFEST)} is missing): run \`npm run build\``,
      2,
    );
  }
  if (manifest.sourceHash !== sourceHash())
    throw new GeneratorError("the built runtime is older than generator/runtime/: run `npm run build`", 2);
  return manifest.files.map((f) => ({ ...f, content: readFileSync(path.join(dir, f.path), "utf8") }));
}

async function compileRuntime(sources: string[]): Promise<RuntimeFile[]> {
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
  if (diagnostics.length)
    throw new Error(`the runtime does not typecheck:\n${project.formatDiagnosticsWithColorAndContext(diagnostics)}`);
  const emitted = new Map(
    project
      .emitToMemory()
      .getFiles()
      .map((f) => [path.relative("/runtime-out", f.filePath).split(path.sep).join("/"), f.text]),
  );
  const declarations: RuntimeFile[] = [...emitted]
    .filter(([rel]) => rel.endsWith(".d.ts"))
    .map(([rel, text]) => ({
      path: `runtime/${rel}`,
      content: text,
      source: `generator/runtime/${rel.replace(/\.d\.ts$/, ".ts")}`,
    }));
  const modules = [...emitted.keys()].filter((rel) => rel.endsWith(".js")).sort();
  // One module for everything web-standard, one for the Node-only entry: importing the package then
  // costs two or three module loads instead of fifteen. Types stay per module (.d.ts).
  const core = modules.filter((m) => !NODE_ONLY_MODULES.has(m));
  const coreJs = await bundle(emitted, core.map((m) => `export * from "./${m}";`).join("\n"), new Set());
  const nodeJs = await bundle(emitted, `export * from "./${NODE_ENTRY}";`, new Set(core));
  return [
    ...declarations,
    {
      path: "runtime/core.js",
      content: coreJs,
      source: `generator/runtime/{${core.map((m) => m.replace(/\.js$/, "")).join(",")}}.ts`,
    },
    { path: `runtime/${NODE_ENTRY}`, content: nodeJs, source: "generator/runtime/node.ts" },
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The Node-only entry point (`runcomfy-models/node`). */
export const NODE_ENTRY = "node.js";
/** Modules bundled into the Node-only entry alone (they import Node's APIs), never into core.js. */
const NODE_ONLY_MODULES = new Set([NODE_ENTRY, "batch/batch-journal.js"]);

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
          // Relative imports between runtime modules, in any folder: resolved against the importer's folder.
          b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
            const name = path.posix.relative("/runtime", path.posix.resolve(args.resolveDir, args.path));
            if (external.has(name)) return { path: "./core.js", external: true };
            if (!files.has(name)) return { errors: [{ text: `runtime module ${name} not found` }] };
            return { path: `/runtime/${name}`, namespace: "runtime" };
          });
          b.onLoad({ filter: /.*/, namespace: "runtime" }, (args) => ({
            contents: files.get(path.posix.relative("/runtime", args.path))!,
            loader: "js",
            resolveDir: path.posix.dirname(args.path),
          }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

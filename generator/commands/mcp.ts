/**
 * `runcomfy-codegen mcp`: an MCP server (stdio, or Streamable HTTP on 127.0.0.1 with --http) serving
 * the generated package's models to AI agents — a tool per model, or three tools with --dynamic.
 * The token is read when a call first needs the API, as every API command reads it, and never
 * printed; stdout carries the protocol only (diagnostics go to stderr).
 */
import { CliFailure, EXIT, importGeneratedPackage, withHelp, type CliIo, type RegisterCommand } from "./context.js";
import { DEFAULT_BASE_URL } from "../runtime/client/credentials.js";
import { GENERATOR_VERSION } from "../shared/paths.js";
import type { McpClient, McpPackage } from "../mcp/server.js";
import type { ModelModule } from "../mcp/tools.js";

interface McpArgs {
  package: string;
  models?: string;
  dynamic: boolean;
  http?: number;
  "base-url"?: string;
  probe: boolean;
  "allow-private-network": boolean;
  "probe-failures": string;
}

export const registerMcp: RegisterCommand = (y, { io, config }) =>
  y.command(
    "mcp",
    "Serve the generated package's models to AI agents over MCP (stdio, or --http PORT)",
    (c) =>
      withHelp(c, {
        examples: [
          ["$0 mcp", "a tool per model, over stdio (for Claude Desktop, Cursor, VS Code)"],
          ["$0 mcp --models 'bytedance/*'", "only the models whose id matches"],
          ["$0 mcp --dynamic", "three tools (search, describe, run) for a large catalog"],
          ["$0 mcp --http 8931", "Streamable HTTP at http://127.0.0.1:8931/mcp"],
        ],
        env: ["RUNCOMFY_API_TOKEN", "RUNCOMFY_BASE_URL", "RUNCOMFY_CONFIG_DIR"],
      })
        .option("package", { type: "string", default: config.output, describe: "Folder of the generated package" })
        .option("models", {
          type: "string",
          describe: "Serve only ids matching these patterns (comma-separated; * matches anything)",
        })
        .option("dynamic", {
          type: "boolean",
          default: false,
          describe: "Three tools (search models, describe a model, run a model) instead of one per model",
        })
        .option("http", {
          type: "number",
          describe: "Serve Streamable HTTP on 127.0.0.1:PORT (path /mcp) instead of stdio",
        })
        .option("base-url", {
          type: "string",
          describe: `API base URL (default: RUNCOMFY_BASE_URL or ${DEFAULT_BASE_URL})`,
        })
        .option("probe", {
          type: "boolean",
          default: true,
          describe: "Probe media to check the media rules (--no-probe: schema only)",
        })
        .option("allow-private-network", {
          type: "boolean",
          default: false,
          describe: "Let probes reach private addresses",
        })
        .option("probe-failures", {
          choices: ["error", "warning"] as const,
          default: "warning" as const,
          describe: "A media rule that could not be checked here: a warning, or an error",
        }),
    async (args) => serveMcp(args as unknown as McpArgs, io),
  );

async function serveMcp(args: McpArgs, io: CliIo): Promise<void> {
  const [{ createMcpServer }, { modelMatcher }, { apiSettings }] = await Promise.all([
    import("../mcp/server.js"),
    import("../mcp/tools.js"),
    import("./requests.js"),
  ]);
  const pkg = await importGeneratedPackage<
    McpPackage & {
      modelIds: readonly string[];
      loadModel: (id: string) => Promise<ModelModule>;
      createClient: (options: Record<string, unknown>) => McpClient;
    }
  >(args.package);
  const matches = modelMatcher(args.models);
  const ids = pkg.modelIds.filter(matches);
  if (!ids.length)
    throw new CliFailure(`no model of the package matches --models ${JSON.stringify(args.models)}`, EXIT.usage);
  const models = await Promise.all(ids.map((id) => pkg.loadModel(id)));
  // The token is needed by calls, not by listing: a missing one is said at the first call that needs it.
  let missing = "";
  const settings = await apiSettings(io, args["base-url"]).catch((e: Error) => {
    missing = e.message;
    io.stderr(`runcomfy mcp: ${e.message}; tools are listed, calls that reach RunComfy fail until then\n`);
    return undefined;
  });
  const make = () =>
    createMcpServer({
      pkg,
      models,
      dynamic: args.dynamic,
      version: GENERATOR_VERSION,
      validateOptions: {
        probeFailures: args["probe-failures"],
        probe: args.probe ? { allowPrivateNetwork: args["allow-private-network"] } : false,
      },
      client: () => {
        if (!settings) throw new Error(missing);
        return pkg.createClient({ ...settings, validate: false });
      },
      log: (line) => io.stderr(`runcomfy mcp: ${line}\n`),
    });
  if (args.http !== undefined) return serveHttp(make, args.http, io);
  const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await make().connect(transport);
  io.stderr(`runcomfy mcp: serving ${models.length} models over stdio${args.dynamic ? " (dynamic tools)" : ""}\n`);
  await closed;
}

/** Streamable HTTP, stateless: a server and transport per request, on 127.0.0.1 only. */
async function serveHttp(
  make: () => import("@modelcontextprotocol/sdk/server/index.js").Server,
  port: number,
  io: CliIo,
) {
  const [{ createServer }, { StreamableHTTPServerTransport }] = await Promise.all([
    import("node:http"),
    import("@modelcontextprotocol/sdk/server/streamableHttp.js"),
  ]);
  const http = createServer(async (req, res) => {
    if (new URL(req.url ?? "/", "http://127.0.0.1").pathname !== "/mcp") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found: the MCP endpoint is /mcp"}');
      return;
    }
    const server = make();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: false });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } catch (e) {
      io.stderr(`runcomfy mcp: ${(e as Error).message}\n`);
      if (!res.headersSent)
        res.writeHead(500, { "content-type": "application/json" }).end('{"error":"internal error"}');
    }
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", (e: NodeJS.ErrnoException) =>
      reject(new CliFailure(`cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}`, EXIT.usage)),
    );
    http.listen(port, "127.0.0.1", resolve);
  });
  const address = http.address();
  io.stderr(`runcomfy mcp: http://127.0.0.1:${typeof address === "object" && address ? address.port : port}/mcp\n`);
  await new Promise<void>((resolve) => {
    const stop = () => http.close(() => resolve());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

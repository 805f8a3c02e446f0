/**
 * Where the token and base URL come from, in the order the official RunComfy CLI set users up with:
 * the option, RUNCOMFY_API_TOKEN, RUNCOMFY_TOKEN (the official CLI's variable), then — under Node only —
 * the token file the official CLI's `runcomfy login` writes (`$RUNCOMFY_CONFIG_DIR/token.json`, else
 * `$XDG_CONFIG_HOME/runcomfy/token.json`, else `~/.config/runcomfy/token.json`; its `access_token`).
 * Base URL: the option, RUNCOMFY_BASE_URL, RUNCOMFY_MODEL_API_BASE (the official CLI's), the default.
 * Nothing here ever puts the token or the file's contents in a message.
 */
import { AuthenticationError } from "./errors.js";

export const DEFAULT_BASE_URL = "https://model-api.runcomfy.net/v1";

export type Env = Record<string, string | undefined>;

/** The process environment where there is one (Node, Bun, Deno with permission); elsewhere empty. */
export function processEnv(): Env {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
}

const isNode = () =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
const value = (env: Env, name: string) => env[name]?.trim() || undefined;

/** The official CLI's token file for this environment, or undefined when no home or config folder is named. */
export function tokenFilePath(env: Env): string | undefined {
  const dir =
    value(env, "RUNCOMFY_CONFIG_DIR") ??
    (value(env, "XDG_CONFIG_HOME") && `${value(env, "XDG_CONFIG_HOME")}/runcomfy`) ??
    ((value(env, "HOME") ?? value(env, "USERPROFILE")) &&
      `${value(env, "HOME") ?? value(env, "USERPROFILE")}/.config/runcomfy`);
  return dir && `${dir}/token.json`;
}

/** The token and where it came from (for messages: the source, never the value). */
export async function resolveToken(
  explicit: string | undefined,
  env: Env = processEnv(),
): Promise<{ token?: string; source?: string }> {
  if (explicit) return { token: explicit, source: "the token option" };
  for (const name of ["RUNCOMFY_API_TOKEN", "RUNCOMFY_TOKEN"]) {
    const token = value(env, name);
    if (token) return { token, source: name };
  }
  const file = isNode() ? tokenFilePath(env) : undefined;
  if (!file) return {};
  const specifier = "node:fs/promises";
  const fs = (await import(/* @vite-ignore */ specifier)) as typeof import("node:fs/promises");
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT" || (e as { code?: string }).code === "ENOTDIR") return {};
    throw new AuthenticationError(
      `cannot read the RunComfy CLI's token file ${file} (${(e as { code?: string }).code ?? "unreadable"})`,
    );
  }
  let token: unknown;
  try {
    token = (JSON.parse(text) as { access_token?: unknown })?.access_token;
  } catch {
    // The parser's message may quote the file: say only what is wrong.
    throw new AuthenticationError(
      `the RunComfy CLI's token file ${file} is not valid JSON; run \`runcomfy login\` again or set RUNCOMFY_API_TOKEN`,
    );
  }
  if (typeof token !== "string" || !token.trim())
    throw new AuthenticationError(
      `the RunComfy CLI's token file ${file} has no access_token; run \`runcomfy login\` again or set RUNCOMFY_API_TOKEN`,
    );
  return { token: token.trim(), source: file };
}

export function resolveBaseUrl(explicit: string | undefined, env: Env = processEnv()): string {
  return (
    explicit ||
    value(env, "RUNCOMFY_BASE_URL") ||
    value(env, "RUNCOMFY_MODEL_API_BASE") ||
    DEFAULT_BASE_URL
  ).replace(/\/+$/, "");
}

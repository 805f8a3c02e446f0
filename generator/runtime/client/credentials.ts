/**
 * Where the token and base URL come from, in the order the official RunComfy CLI set users up with:
 * the option, RUNCOMFY_API_TOKEN, RUNCOMFY_TOKEN (the official CLI's variable), then — under Node only —
 * the token file the official CLI's `runcomfy login` writes (`$RUNCOMFY_CONFIG_DIR/token.json`, else
 * `$XDG_CONFIG_HOME/runcomfy/token.json`, else `~/.config/runcomfy/token.json`; its `access_token`).
 * Base URL: the option, RUNCOMFY_BASE_URL, RUNCOMFY_MODEL_API_BASE (the official CLI's), the default.
 * Nothing here ever puts the token, the file's contents or a URL's user name and password in a message.
 */
import { AuthenticationError, RunComfyError } from "../errors.js";

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

/**
 * Shortest token accepted. RunComfy's tokens are far longer; a shorter one is a copying mistake, and it
 * could not be redacted from answers without rewriting the protocol's own words (`t` is in `request_id`).
 */
export const MIN_TOKEN_LENGTH = 8;

/** Largest token file read: the official CLI writes one small JSON object. */
export const MAX_TOKEN_FILE_BYTES = 64 * 1024;

function checkedToken(token: string, source: string): { token: string; source: string } {
  if (token.length < MIN_TOKEN_LENGTH)
    throw new AuthenticationError(
      `the RunComfy API token from ${source} is ${token.length} character${token.length === 1 ? "" : "s"} long, shorter than ${MIN_TOKEN_LENGTH}: RunComfy's tokens are longer; copy the whole token from your RunComfy profile page`,
    );
  return { token, source };
}

/** The token and where it came from (for messages: the source, never the value). */
export async function resolveToken(
  explicit: string | undefined,
  env: Env = processEnv(),
): Promise<{ token?: string; source?: string }> {
  if (explicit) return checkedToken(explicit, "the token option");
  for (const name of ["RUNCOMFY_API_TOKEN", "RUNCOMFY_TOKEN"]) {
    const token = value(env, name);
    if (token) return checkedToken(token, name);
  }
  const file = isNode() ? tokenFilePath(env) : undefined;
  if (!file) return {};
  const text = await readTokenFile(file);
  if (text === undefined) return {};
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
  return checkedToken(token.trim(), file);
}

/**
 * The token file's text, or undefined when there is none. Only a regular file (a link to one is
 * followed) of at most MAX_TOKEN_FILE_BYTES is read: a device, a FIFO or a folder is refused before a
 * byte is read, and a file that grows while read is refused at the limit.
 */
async function readTokenFile(file: string): Promise<string | undefined> {
  const specifier = "node:fs/promises";
  const fs = (await import(/* @vite-ignore */ specifier)) as typeof import("node:fs/promises");
  const unreadable = (why: string) =>
    new AuthenticationError(
      `cannot read the RunComfy CLI's token file ${file} (${why}); run \`runcomfy login\` again or set RUNCOMFY_API_TOKEN`,
    );
  let handle: import("node:fs/promises").FileHandle;
  try {
    // Non-blocking: opening a FIFO must not wait for a writer.
    handle = await fs.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw unreadable(code ?? "unreadable");
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw unreadable("not a regular file");
    if (stat.size > MAX_TOKEN_FILE_BYTES) throw unreadable(`larger than ${MAX_TOKEN_FILE_BYTES} bytes`);
    const buffer = new Uint8Array(MAX_TOKEN_FILE_BYTES + 1);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, size, buffer.length - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > MAX_TOKEN_FILE_BYTES) throw unreadable(`larger than ${MAX_TOKEN_FILE_BYTES} bytes`);
    }
    return new TextDecoder().decode(buffer.subarray(0, size));
  } catch (e) {
    if (e instanceof AuthenticationError) throw e;
    throw unreadable((e as { code?: string }).code ?? "unreadable");
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * A base URL (or proxy URL) checked: one with a user name or password in it is refused, since it
 * would send those credentials along and put them in every message that names the URL. The URL
 * itself is never quoted in the error; `source` says where it came from.
 */
export function checkApiUrl(url: string, source: string): string {
  let parsed: URL;
  try {
    // A relative URL (a proxy on the page's own origin) parses against any base.
    parsed = new URL(url, "http://relative.invalid");
  } catch {
    throw new RunComfyError(`the API URL from ${source} is not a URL`);
  }
  if (parsed.username || parsed.password)
    throw new RunComfyError(
      `the API URL from ${source} has a user name or password in it (scheme://user:password@host); remove them: the API token goes in RUNCOMFY_API_TOKEN, never in the URL`,
    );
  return url;
}

/** The base URL and, for messages, where it came from (`explicitSource` names the explicit one: an option, a flag). */
export function resolveBaseUrl(
  explicit: string | undefined,
  env: Env = processEnv(),
  explicitSource = "the baseUrl option",
): string {
  const [url, source] = explicit
    ? [explicit, explicitSource]
    : value(env, "RUNCOMFY_BASE_URL")
      ? [value(env, "RUNCOMFY_BASE_URL")!, "RUNCOMFY_BASE_URL"]
      : value(env, "RUNCOMFY_MODEL_API_BASE")
        ? [value(env, "RUNCOMFY_MODEL_API_BASE")!, "RUNCOMFY_MODEL_API_BASE"]
        : [DEFAULT_BASE_URL, "the default"];
  return checkApiUrl(url, source).replace(/\/+$/, "");
}

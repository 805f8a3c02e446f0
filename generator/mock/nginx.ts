/**
 * A real web server for probe tests and the bench: nginx (Debian's nginx-light) serving files from a
 * folder of its own on 127.0.0.1, with Range as nginx does it and connections kept alive for 65 s,
 * as CDNs and ordinary hosts keep them. Each instance has its own config, temp paths and access log
 * (which gives, per request, the range asked for, the status, the bytes nginx wrote and the
 * connection it came on), and is stopped by `close()`. `.ci/run` installs nginx when it is missing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const NGINX_BINARY = process.env.NGINX ?? "/usr/sbin/nginx";

export interface NginxLogLine {
  range: string;
  status: number;
  /** Bytes nginx wrote for the answer, headers included ($bytes_sent). */
  bytesSent: number;
  /** nginx's connection serial number: requests on one kept-alive connection share it. */
  connection: number;
}

export interface Nginx {
  port: number;
  /** The file's URL; with `ranges: false`, from a location that ignores Range. */
  url: (name: string, options?: { ranges?: boolean }) => string;
  /** Writes a file into the served folder. */
  add: (name: string, body: Uint8Array) => void;
  /** The access log since the last reset (nginx writes a line when an answer ends, also when the client cut it off). */
  log: () => NginxLogLine[];
  reset: () => void;
  close: () => Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

function config(dir: string, port: number): string {
  const asRoot = process.getuid?.() === 0;
  return `${asRoot ? "user root;\n" : ""}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  types { image/jpeg jpg; image/png png; image/gif gif; image/webp webp; image/avif avif; image/bmp bmp; }
  default_type application/octet-stream;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  log_format probe '$http_range|$status|$bytes_sent|$connection';
  access_log ${dir}/access.log probe;
  sendfile on;
  keepalive_timeout 65s;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/files;
    location / { }
    location /range/ { alias ${dir}/files/; }
    # The same files from a server that ignores Range (always 200, the whole file).
    location /norange/ { alias ${dir}/files/; max_ranges 0; }
  }
}
`;
}

/** Starts nginx on a free port of 127.0.0.1 serving an empty folder; resolves once it accepts connections. */
export async function startNginx(): Promise<Nginx> {
  if (!existsSync(NGINX_BINARY))
    throw new Error(
      `${NGINX_BINARY} is missing: install Debian's nginx-light (apt-get install -y nginx-light; .ci/run does it), or set NGINX`,
    );
  const dir = mkdtempSync(path.join(tmpdir(), "rcg-nginx-"));
  const files = path.join(dir, "files");
  mkdirSync(files);
  let child: ChildProcess | undefined;
  let port = 0;
  // A port found free may be taken before nginx binds it: try a few.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    writeFileSync(path.join(dir, "nginx.conf"), config(dir, port));
    const started = spawn(NGINX_BINARY, ["-p", dir, "-c", path.join(dir, "nginx.conf")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    started.stderr?.on("data", (c: Buffer) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => started.once("exit", resolve));
    started.once("error", () => {});
    const ready = await (async () => {
      for (let i = 0; i < 200; i++) {
        if (started.exitCode !== null || started.signalCode !== null) return false;
        if (await canConnect(port)) return true;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return false;
    })();
    if (ready) child = started;
    else {
      started.kill("SIGKILL");
      await exited;
      if (!/Address already in use/.test(stderr)) {
        const why = stderr || readLog(path.join(dir, "error.log"));
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`nginx did not start: ${why}`);
      }
    }
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error("nginx did not start: no free port could be bound");
  }
  const running = child;
  const accessLog = path.join(dir, "access.log");
  let logFrom = 0;
  const allLines = () => readLog(accessLog).split("\n").filter(Boolean);
  return {
    port,
    url: (name, options) => `http://127.0.0.1:${port}/${options?.ranges === false ? "norange/" : ""}${name}`,
    add: (name, body) => writeFileSync(path.join(files, name), body),
    log: () =>
      allLines()
        .slice(logFrom)
        .map((line) => {
          const [range, status, bytesSent, connection] = line.split("|");
          return {
            range: range === "-" ? "" : range,
            status: Number(status),
            bytesSent: Number(bytesSent),
            connection: Number(connection),
          };
        }),
    reset: () => void (logFrom = allLines().length),
    close: async () => {
      const exited = new Promise((resolve) => running.once("exit", resolve));
      // QUIT would wait for kept-alive connections; TERM is nginx's fast shutdown.
      running.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, createServer as createNetServer, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { tempDir } from "./cli.js";
import type { Mirror } from "./mirror.js";

/**
 * Servers that behave like the real download hosts, started on 127.0.0.1 by
 * the tests and stopped by them: real programs from Debian (python's
 * http.server, nginx, tinyproxy) and, where the behaviour is GitHub's or a
 * CDN's, small node servers. Each serves what a Mirror holds.
 */
export interface Served {
  readonly url: string;
  /** What the server logged so far: the requests it answered. */
  log(): string;
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 and localhost, and the PEM file NODE_EXTRA_CA_CERTS can name. */
export interface Certificate {
  readonly key: string;
  readonly cert: string;
  readonly file: string;
  remove(): void;
}

export function certificate(): Certificate {
  const dir = tempDir("devenv-cert-");
  const [key, file] = [join(dir, "key.pem"), join(dir, "cert.pem")];
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", file, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  return { key: readFileSync(key, "utf8"), cert: readFileSync(file, "utf8"), file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The mirror's files as a directory tree, for the static servers. */
function writeTree(mirror: Mirror): string {
  const root = tempDir("devenv-www-");
  for (const [path, content] of mirror.files) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function accepting(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a real server program, waits until it accepts connections on `port`, and removes `dirs` when stopped. */
async function startProgram(command: string, args: readonly string[], port: number, url: string, dirs: readonly string[], logFile?: string): Promise<Served> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const remove = () => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  try {
    await Promise.race([accepting(port, Date.now() + 10_000), exited.then(() => Promise.reject(new Error(`${command} exited: ${output}`)))]);
  } catch (error) {
    child.kill("SIGKILL");
    remove();
    throw error;
  }
  return {
    url,
    log: () => output + (logFile === undefined ? "" : readFileSync(logFile, "utf8")),
    async close() {
      child.kill("SIGTERM");
      await exited;
      remove();
    },
  };
}

/** python's http.server: HTTP/1.0, `Connection: close` after every response, no Range. */
export async function startClosing(mirror: Mirror): Promise<Served> {
  const root = writeTree(mirror);
  const port = await freePort();
  return startProgram("python3", ["-u", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root], port, `http://127.0.0.1:${port}`, [root]);
}

/**
 * A real nginx serving the mirror's files, keep-alive, over https with `tls`; with
 * `bytesPerSecond`, each connection is held to that rate, as a real link holds it.
 */
export async function startNginx(mirror: Mirror, tls?: Certificate, bytesPerSecond?: number): Promise<Served> {
  const root = writeTree(mirror);
  const prefix = tempDir("devenv-nginx-");
  const port = await freePort();
  let listen = `listen 127.0.0.1:${port};`;
  if (tls !== undefined) {
    writeFileSync(join(prefix, "key.pem"), tls.key);
    writeFileSync(join(prefix, "cert.pem"), tls.cert);
    listen = `listen 127.0.0.1:${port} ssl; ssl_certificate ${prefix}/cert.pem; ssl_certificate_key ${prefix}/key.pem;`;
  }
  const temps = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `${t}_temp_path ${prefix}/${t};`).join(" ");
  // `user root` only matters when started as root: workers must read the test's private temp dirs.
  const user = process.getuid?.() === 0 ? "user root;" : "";
  writeFileSync(
    join(prefix, "nginx.conf"),
    `daemon off; ${user} worker_processes 1; pid ${prefix}/nginx.pid; error_log stderr;
events { worker_connections 64; }
http { access_log ${prefix}/access.log; ${temps} server { ${listen} root ${root}; ${bytesPerSecond === undefined ? "" : `limit_rate ${bytesPerSecond};`} } }\n`,
  );
  writeFileSync(join(prefix, "access.log"), "");
  const url = `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`;
  return startProgram("nginx", ["-e", "stderr", "-p", prefix, "-c", join(prefix, "nginx.conf")], port, url, [root, prefix], join(prefix, "access.log"));
}

/** tinyproxy, a real forward proxy (CONNECT and plain requests); with `auth`, it answers 407 without it. */
export async function startTinyproxy(auth?: { user: string; password: string }): Promise<Served> {
  const dir = tempDir("devenv-proxy-");
  const port = await freePort();
  const config = [`Port ${port}`, "Listen 127.0.0.1", "Timeout 60", "MaxClients 64", "Allow 127.0.0.1", "LogLevel Connect", ...(auth ? [`BasicAuth ${auth.user} ${auth.password}`] : [])];
  writeFileSync(join(dir, "tinyproxy.conf"), `${config.join("\n")}\n`);
  return startProgram("tinyproxy", ["-d", "-c", join(dir, "tinyproxy.conf")], port, `http://127.0.0.1:${port}`, [dir]);
}

/**
 * Debian's squid with the access rules its package installs, the ones a corporate squid starts from:
 * `http_access deny !Safe_ports` (1025-65535 are safe), `http_access deny CONNECT !SSL_ports` (CONNECT
 * only to 443), `http_access allow localhost`. They are read from /etc/squid/squid.conf as installed;
 * only where squid listens and writes is changed, and what a foreground run in a temporary directory
 * needs. The access log shows each request as squid got it (`GET http://host/path` or
 * `CONNECT host:port`) with the status squid gave.
 */
export async function startSquid(): Promise<Served> {
  const stock = readFileSync("/etc/squid/squid.conf", "utf8").split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
  for (const rule of ["http_access deny CONNECT !SSL_ports", "http_access allow localhost"]) {
    if (!stock.includes(rule)) throw new Error(`/etc/squid/squid.conf is not Debian's: it lacks "${rule}"`);
  }
  const dir = tempDir("devenv-squid-");
  const port = await freePort();
  // The shared-memory segments squid makes (/dev/shm/NAME-*) are named after the service: one of its own per run.
  const name = `devenv${randomBytes(4).toString("hex")}`;
  const config = [
    // include: /etc/squid/conf.d holds only Debian's `logfile_rotate 0`, and whatever an administrator added there is not stock.
    // `http_access deny to_localhost` would refuse every mirror of the tests, all on 127.0.0.1: Debian 12's
    // file has it commented out; should a later one not, that one line is the override.
    ...stock.filter((line) => !/^(http_port|coredump_dir|include)\s/.test(line) && line !== "http_access deny to_localhost"),
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${dir}/squid.pid`,
    `cache_log ${dir}/cache.log`,
    // stdio: written by squid itself as each request ends, not later by its log daemon helper.
    `access_log stdio:${dir}/access.log`,
    `coredump_dir ${dir}`,
    // Nothing written outside this directory (netdb state goes to /var/spool/squid), and no ICMP helper, which needs raw sockets.
    "netdb_filename none",
    "pinger_enable off",
    // Squid refuses to start on a host whose name it cannot fully qualify.
    "visible_hostname devenv-test",
    // By default squid waits 30 s for open connections when told to stop.
    "shutdown_lifetime 0 seconds",
  ];
  writeFileSync(join(dir, "squid.conf"), `${config.join("\n")}\n`);
  writeFileSync(join(dir, "access.log"), "");
  // Started as root, squid runs as Debian's cache_effective_user, `proxy`, which must write its logs here.
  if (process.getuid?.() === 0) execFileSync("chown", ["-R", "proxy:proxy", dir]);
  const removeSegments = () => readdirSync("/dev/shm").filter((f) => f.startsWith(`${name}-`)).forEach((f) => rmSync(join("/dev/shm", f), { force: true }));
  let squid: Served;
  try {
    squid = await startProgram("squid", ["-N", "-n", name, "-f", join(dir, "squid.conf")], port, `http://127.0.0.1:${port}`, [dir], join(dir, "access.log"));
  } catch (error) {
    removeSegments();
    throw error;
  }
  return {
    ...squid,
    async close() {
      await squid.close();
      removeSegments();
    },
  };
}

/**
 * A front like github.com's release downloads, S3 or Artifactory: every
 * request answers 302 to the same path on `cdn` with a signed-looking query
 * that the CDN ignores. `hops` chains that many redirects first; `tls` serves
 * the front over https.
 */
export async function startRedirecting(cdn: Mirror | string, options: { hops?: number; tls?: Certificate } = {}): Promise<Served> {
  const target = typeof cdn === "string" ? cdn : cdn.url;
  const requests: string[] = [];
  const handler = (req: { url?: string | undefined }, res: { writeHead(status: number, headers: Record<string, string>): { end(): void } }) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(url.pathname + url.search);
    const hop = Number(url.searchParams.get("hop") ?? 0);
    const signed = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-Signature=${randomBytes(16).toString("hex")}`;
    const location = hop + 1 < (options.hops ?? 1) ? `${url.pathname}?hop=${hop + 1}` : `${target}${url.pathname}?${signed}`;
    res.writeHead(302, { location, "content-length": "0" }).end();
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const scheme = options.tls ? "https" : "http";
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log: () => requests.join("\n"),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The CNCF distribution registry from Debian (`docker-registry`), with its storage in a temporary directory; with `htpasswd` (bcrypt lines), Basic auth. */
export async function startRegistry(options: { htpasswd?: string } = {}): Promise<Served> {
  const dir = tempDir("devenv-registry-");
  const port = await freePort();
  let auth = "";
  if (options.htpasswd !== undefined) {
    writeFileSync(join(dir, "htpasswd"), options.htpasswd);
    auth = `auth:\n  htpasswd:\n    realm: devenv-test\n    path: ${dir}/htpasswd\n`;
  }
  writeFileSync(join(dir, "config.yml"), `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`);
  return startProgram("docker-registry", ["serve", join(dir, "config.yml")], port, `127.0.0.1:${port}`, [dir]);
}

/**
 * A registry that speaks Bearer token auth as ghcr.io and Docker Hub do: every
 * /v2/ request without a valid token answers 401 with a challenge naming a
 * token realm; the realm hands out a token for the scope asked, with Basic
 * `user:password` (anonymously: pull only, when `anonymousPull`); the granted
 * requests go to `registry`. A pull-only token cannot push.
 */
export async function startTokenRegistry(registry: Served, options: { user: string; password: string; anonymousPull?: boolean; refuseMonolithic?: boolean }): Promise<Served & { tokensIssued: string[]; requests: string[] }> {
  const tokens = new Map<string, string>();
  const tokensIssued: string[] = [];
  const requests: string[] = [];
  const upstream = new URL(`http://${registry.url}`);
  let origin = "";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/token") {
      const basic = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString("base64")}`;
      const scope = url.searchParams.get("scope") ?? "";
      const authorized = req.headers.authorization === basic;
      if (!authorized && !(options.anonymousPull && scope.endsWith(":pull"))) return void res.writeHead(401).end();
      const token = randomBytes(12).toString("hex");
      tokens.set(token, scope.slice(scope.lastIndexOf(":") + 1));
      tokensIssued.push(scope);
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token }));
    }
    const granted = tokens.get(String(req.headers.authorization ?? "").replace(/^Bearer /, ""));
    const pushing = req.method !== "GET" && req.method !== "HEAD";
    if (granted === undefined || (pushing && !granted.includes("push"))) {
      const action = pushing ? "pull,push" : "pull";
      res.writeHead(granted === undefined ? 401 : 403, { "www-authenticate": `Bearer realm="${origin}/token",service="devenv-test",scope="repository:${url.pathname.split("/").slice(2, -2).join("/")}:${action}"`, "content-type": "application/json" });
      return void res.end(JSON.stringify({ errors: [{ code: granted === undefined ? "UNAUTHORIZED" : "DENIED", message: granted === undefined ? "authentication required" : "requested access to the resource is denied" }] }));
    }
    requests.push(`${req.method} ${url.pathname}`);
    // As a proxy with a body limit would: an upload in one piece is too large; chunks pass.
    if (options.refuseMonolithic && req.method === "PUT" && url.pathname.includes("/blobs/uploads/") && Number(req.headers["content-length"]) > 0) {
      req.resume();
      return void res.writeHead(413).end("request entity too large");
    }
    const headers = { ...req.headers, host: upstream.host };
    delete headers.authorization;
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      const location = answer.headers.location;
      if (typeof location === "string") answer.headers.location = location.replace(upstream.origin, origin);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  origin = `http://${url}`;
  return {
    url,
    tokensIssued,
    requests,
    log: () => tokensIssued.join("\n"),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { TLSSocket } from "node:tls";
import { gzipSync } from "node:zlib";
import { tempDir } from "./cli.js";
import type { Mirror } from "./mirror.js";
import { publishPython } from "./upstreams.js";

const repo = "astral-sh/python-build-standalone";
const cdnHost = "release-assets.githubusercontent.com";

/** What reached the fake GitHub, per request. */
export interface GithubRequest {
  readonly host: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly status: number;
  /** Bytes of body sent, as sent (compressed when gzip was asked for). */
  readonly bytes: number;
}

/**
 * GitHub as devenv meets it without a python mirror, behind a TLS-intercepting
 * proxy (as in many companies): HTTPS_PROXY names this proxy, which answers
 * CONNECT to api.github.com, github.com and GitHub's asset CDN itself, with a
 * certificate from a private CA that NODE_EXTRA_CA_CERTS names.
 *
 * - api.github.com: the repository's tags, 100 a page, gzip when asked,
 *   rate-limit answers when `rateLimited` is set;
 * - github.com: release downloads answer 302 to the CDN, with a signed query;
 * - the CDN: python-build-standalone's files, from `mirror` under /python.
 */
/** One file of a release, and whether GitHub has a digest of it (assets uploaded since mid-2025 do). */
export interface FakeAsset {
  readonly name: string;
  readonly body: Buffer;
  readonly digest?: boolean;
}

export class FakeGithub {
  readonly requests: GithubRequest[] = [];
  rateLimited = false;
  /** Other repositories' releases, newest first: what `publish` added. */
  private readonly repos = new Map<string, Array<{ tag: string; assets: FakeAsset[] }>>();
  /** Old name -> new name: GitHub answers 301 for a renamed repository. */
  private readonly renamed = new Map<string, string>();

  /** A release of `repo` under `tag`, newer than those published before. */
  publish(repo: string, tag: string, assets: readonly FakeAsset[]): void {
    const releases = this.repos.get(repo) ?? [];
    releases.unshift({ tag, assets: [...assets] });
    this.repos.set(repo, releases);
  }

  /** The body of a published asset, by its canonical download URL. */
  asset(url: string): Buffer {
    const match = /^https:\/\/github\.com\/([^/]+\/[^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(url)!;
    const found = this.repos.get(match[1]!)?.find((r) => r.tag === decodeURIComponent(match[2]!))?.assets.find((a) => a.name === decodeURIComponent(match[3]!));
    if (found === undefined) throw new Error(`nothing published at ${url}`);
    return found.body;
  }

  /** Takes back the newest release of `repo` under `tag`. */
  unpublish(repo: string, tag: string): void {
    const releases = this.repos.get(repo) ?? [];
    const at = releases.findIndex((r) => r.tag === tag);
    if (at !== -1) releases.splice(at, 1);
  }

  /** `from` was renamed `to`: the API and downloads of `from` answer 301. */
  rename(from: string, to: string): void {
    this.renamed.set(from, to);
  }

  private constructor(
    private readonly server: Server,
    readonly proxyUrl: string,
    readonly caFile: string,
    private readonly dir: string,
  ) {}

  static async start(mirror?: Mirror, tags: readonly string[] = []): Promise<FakeGithub> {
    const dir = tempDir("devenv-github-");
    const { key, cert } = issueCertificates(dir);
    let github: FakeGithub | undefined;
    const app = createServer((req, res) => github!.answer(req, res, mirror, tags));
    const proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on("connect", (_req, socket) => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      app.emit("connection", new TLSSocket(socket, { isServer: true, key, cert }));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    github = new FakeGithub(proxy, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, join(dir, "ca.pem"), dir);
    return github;
  }

  /** Body bytes sent to devenv so far. */
  bytes(): number {
    return this.requests.reduce((sum, r) => sum + r.bytes, 0);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    rmSync(this.dir, { recursive: true, force: true });
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse, mirror: Mirror | undefined, tags: readonly string[]): void {
    const host = String(req.headers.host).replace(/:443$/, "");
    const url = new URL(req.url ?? "/", `https://${host}`);
    const send = (status: number, headers: Record<string, string>, body: Buffer = Buffer.alloc(0)) => {
      const gzip = body.length > 0 && headers["content-type"] === "application/json" && /\bgzip\b/.test(String(req.headers["accept-encoding"]));
      const sent = gzip ? gzipSync(body) : body;
      this.requests.push({ host, path: url.pathname + url.search, authorization: req.headers.authorization, status, bytes: sent.length });
      res.writeHead(status, { ...headers, ...(gzip ? { "content-encoding": "gzip" } : {}), "content-length": String(sent.length) }).end(sent);
    };
    if (host === "api.github.com" && this.rateLimited) {
      const reset = String(Math.floor(Date.UTC(2026, 0, 1, 13, 45) / 1000));
      return send(403, { "content-type": "application/json", "x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }, Buffer.from('{"message":"API rate limit exceeded"}'));
    }
    if (this.answerPublished(host, url, send)) return;
    if (host === "api.github.com" && url.pathname === `/repos/${repo}/tags`) {
      const page = Number(url.searchParams.get("page") ?? 1);
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      // Tags as GitHub lists them: with commit and archive URLs (about 300 bytes each).
      const list = tags.slice((page - 1) * perPage, page * perPage).map((name) => ({
        name,
        zipball_url: `https://api.github.com/repos/${repo}/zipball/refs/tags/${name}`,
        tarball_url: `https://api.github.com/repos/${repo}/tarball/refs/tags/${name}`,
        commit: { sha: randomBytes(20).toString("hex"), url: `https://api.github.com/repos/${repo}/commits/${randomBytes(20).toString("hex")}` },
        node_id: randomBytes(12).toString("base64"),
      }));
      return send(200, { "content-type": "application/json", "x-ratelimit-remaining": "59" }, Buffer.from(JSON.stringify(list)));
    }
    const download = new RegExp(`^/${repo}/releases/download/([^/]+)/([^/]+)$`).exec(url.pathname);
    if (host === "github.com" && download) {
      const signed = `sp=r&sv=2018-11-09&sr=b&spr=https&se=2026-01-01T00%3A05%3A00Z&sig=${randomBytes(16).toString("hex")}`;
      return send(302, { location: `https://${cdnHost}/github-production-release-asset/${download[1]}/${download[2]}?${signed}` });
    }
    const asset = /^\/github-production-release-asset\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (host === cdnHost && asset && url.searchParams.has("sig")) {
      const file = mirror?.files.get(`/python/${asset[1]}/${decodeURIComponent(asset[2]!)}`);
      if (file !== undefined) return send(200, { "content-type": "application/octet-stream" }, file);
    }
    send(404, { "content-type": "text/plain" }, Buffer.from("Not Found"));
  }

  /** Answers for what `publish` and `rename` set up; false when the request is about something else. */
  private answerPublished(host: string, url: URL, send: (status: number, headers: Record<string, string>, body?: Buffer) => void): boolean {
    const json = (value: unknown) => send(200, { "content-type": "application/json", "x-ratelimit-remaining": "59" }, Buffer.from(JSON.stringify(value)));
    const ids = [...this.renamed.values()];
    if (host === "api.github.com") {
      let path = url.pathname;
      const byId = /^\/repositories\/(\d+)(\/.*)$/.exec(path);
      if (byId) path = `/repos/${ids[Number(byId[1])]}${byId[2]}`;
      const match = /^\/repos\/([^/]+\/[^/]+)(\/.*)$/.exec(path);
      if (!match) return false;
      const [, repo, rest] = match as unknown as [string, string, string];
      const to = this.renamed.get(repo);
      if (to !== undefined) {
        send(301, { location: `https://api.github.com/repositories/${ids.indexOf(to)}${rest}${url.search}`, "content-type": "application/json" }, Buffer.from('{"message":"Moved Permanently"}'));
        return true;
      }
      const releases = this.repos.get(repo);
      if (releases === undefined) return false;
      // A release as GitHub's REST API writes it, with the fields clients (mise's among them) require.
      const release = (r: { tag: string; assets: FakeAsset[] }, id: number) => ({
        url: `https://api.github.com/repos/${repo}/releases/${id}`,
        html_url: `https://github.com/${repo}/releases/tag/${encodeURIComponent(r.tag)}`,
        assets_url: `https://api.github.com/repos/${repo}/releases/${id}/assets`,
        id,
        tag_name: r.tag,
        target_commitish: "main",
        name: r.tag,
        draft: false,
        prerelease: false,
        created_at: "2025-08-01T00:00:00Z",
        published_at: "2025-08-01T00:00:00Z",
        assets: r.assets.map((a, i) => ({
          url: `https://api.github.com/repos/${repo}/releases/assets/${id * 1000 + i}`,
          id: id * 1000 + i,
          name: a.name,
          label: "",
          content_type: "application/octet-stream",
          state: "uploaded",
          size: a.body.length,
          digest: a.digest === true ? `sha256:${createHash("sha256").update(a.body).digest("hex")}` : null,
          download_count: 0,
          created_at: "2025-08-01T00:00:00Z",
          updated_at: "2025-08-01T00:00:00Z",
          browser_download_url: `https://github.com/${repo}/releases/download/${encodeURIComponent(r.tag)}/${a.name}`,
        })),
        body: "",
      });
      const page = (list: unknown[]) => {
        const at = Number(url.searchParams.get("page") ?? 1);
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        return list.slice((at - 1) * perPage, at * perPage);
      };
      const idOf = (r: { tag: string }) => releases.length - releases.findIndex((other) => other.tag === r.tag);
      if (rest === "/tags") {
        json(page(releases.map((r) => ({ name: r.tag, commit: { sha: randomBytes(20).toString("hex") } }))));
        return true;
      }
      if (rest === "/releases") {
        json(page(releases.map((r) => release(r, idOf(r)))));
        return true;
      }
      if (rest === "/releases/latest") {
        json(release(releases[0]!, idOf(releases[0]!)));
        return true;
      }
      const tagged = /^\/releases\/tags\/(.+)$/.exec(rest);
      const found = tagged && releases.find((r) => r.tag === decodeURIComponent(tagged[1]!));
      if (found) json(release(found, idOf(found)));
      else send(404, { "content-type": "application/json" }, Buffer.from('{"message":"Not Found"}'));
      return true;
    }
    if (host === "github.com") {
      const match = /^\/([^/]+\/[^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!match) return false;
      const [, repo, tag, name] = match as unknown as [string, string, string, string];
      const to = this.renamed.get(repo);
      if (to !== undefined) {
        send(301, { location: `https://github.com/${to}/releases/download/${tag}/${name}` });
        return true;
      }
      if (!this.repos.has(repo)) return false;
      const signed = `sp=r&sv=2018-11-09&sr=b&spr=https&se=2026-01-01T00%3A05%3A00Z&sig=${randomBytes(16).toString("hex")}`;
      send(302, { location: `https://${cdnHost}/github-production-release-asset/${encodeURIComponent(repo)}/${tag}/${name}?${signed}` });
      return true;
    }
    if (host === cdnHost) {
      const match = /^\/github-production-release-asset\/([^/]+%2F[^/]+)\/([^/]+)\/([^/]+)$/i.exec(url.pathname);
      if (!match || !url.searchParams.has("sig")) return false;
      const releases = this.repos.get(decodeURIComponent(match[1]!));
      const asset = releases?.find((r) => r.tag === decodeURIComponent(match[2]!))?.assets.find((a) => a.name === decodeURIComponent(match[3]!));
      if (asset === undefined) return false;
      send(200, { "content-type": "application/octet-stream" }, asset.body);
      return true;
    }
    return false;
  }
}

/** A private CA, and a certificate it signs for the three GitHub hosts. */
function issueCertificates(dir: string): { key: string; cert: string } {
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", at("ca.key"), "-out", at("ca.pem"), "-days", "2", "-subj", "/CN=devenv test CA");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", at("leaf.key"), "-out", at("leaf.csr"), "-subj", "/CN=github.com");
  writeFileSync(at("san.ext"), `subjectAltName=DNS:github.com,DNS:api.github.com,DNS:${cdnHost}\n`);
  openssl("x509", "-req", "-in", at("leaf.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial", "-out", at("leaf.pem"), "-days", "2", "-extfile", at("san.ext"));
  return { key: readFileSync(at("leaf.key"), "utf8"), cert: readFileSync(at("leaf.pem"), "utf8") };
}

/**
 * python-build-standalone at its real scale: 150 release tags (two pages of
 * the tags API), the newest building 3.13 and 3.12, its SHA256SUMS listing
 * ~900 assets (~130 KB) as a real release's does. Returns the tags, newest first.
 */
export function publishPythonAtScale(mirror: Mirror, newest: string): string[] {
  publishPython(mirror, [{ tag: newest, builds: [{ version: "3.13.99" }, { version: "3.12.99" }] }]);
  const sums = mirror.files.get(`/python/${newest}/SHA256SUMS`)!.toString();
  const others = Array.from({ length: 900 }, (_, i) => `${String(i).padStart(64, "a")}  cpython-3.${i % 14}.${i}+${newest}-riscv64-unknown-linux-gnu-debug-full.tar.zst`);
  mirror.files.set(`/python/${newest}/SHA256SUMS`, Buffer.from(`${sums}${others.join("\n")}\n`));
  return [newest, ...Array.from({ length: 149 }, (_, i) => String(20150101 + i))];
}

import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * How a mirror can misbehave for one path. `times` limits a fault to the first
 * requests; without it the fault is permanent.
 * - status: answer that status;  reset: drop the connection before answering;
 * - stall: send headers and half the body, then go silent;  delayMs: the same, then finish;
 * - corrupt: flip a byte;  truncate: close the connection after half the bytes;
 * - endless: a body that never ends;  drip: one byte every 50 ms, forever.
 * endless and drip stop when devenv hangs up, or when the mirror closes.
 */
export type Fault = ({ status: number } | { reset: true } | { stall: true } | { delayMs: number } | { corrupt: true } | { truncate: true } | { endless: true } | { drip: true }) & { times?: number };

/**
 * A local static server like the real ones (Range requests, ETags) that counts
 * requests per path and can be told to misbehave.
 */
export class Mirror {
  readonly files = new Map<string, Buffer>();
  readonly faults = new Map<string, Fault>();
  readonly hits = new Map<string, number>();
  /** Requests answered 304 Not Modified, per path. */
  readonly notModified = new Map<string, number>();
  /** Request paths exactly as sent, before percent-decoding. */
  readonly rawPaths: string[] = [];
  /** The most archive downloads that were in flight at once. */
  maxArchivesInFlight = 0;
  private archivesInFlight = 0;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Mirror> {
    let mirror: Mirror | undefined;
    const server = createServer((req, res) => {
      const raw = new URL(req.url ?? "/", "http://x").pathname;
      mirror!.rawPaths.push(raw);
      mirror!.serve(decodeURIComponent(raw), req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    mirror = new Mirror(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return mirror;
  }

  count(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  /** Requests for archives (anything .tar.gz) so far. */
  archiveHits(): number {
    return [...this.hits].filter(([path]) => path.endsWith(".tar.gz")).reduce((sum, [, n]) => sum + n, 0);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(path: string, req: IncomingMessage, res: ServerResponse): void {
    this.hits.set(path, this.count(path) + 1);
    if (path.endsWith(".tar.gz")) {
      this.maxArchivesInFlight = Math.max(this.maxArchivesInFlight, ++this.archivesInFlight);
      res.on("close", () => this.archivesInFlight--);
    }
    const file = this.files.get(path);
    const fault = this.activeFault(path);
    if (fault && "status" in fault) return void res.writeHead(fault.status).end();
    if (fault && "reset" in fault) return void req.socket.destroy();
    if (fault && "endless" in fault) {
      const block = Buffer.alloc(1 << 20, "[");
      res.writeHead(200);
      const pump = () => {
        while (!res.destroyed && res.write(block));
      };
      res.on("drain", pump);
      return pump();
    }
    if (fault && "drip" in fault) {
      res.writeHead(200);
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write("[")), 50);
      res.on("close", () => clearInterval(drip));
      return;
    }
    if (file === undefined) return void res.writeHead(404).end("not found");

    const etag = `"${sha256(file).slice(0, 16)}"`;
    if (req.headers["if-none-match"] === etag) {
      this.notModified.set(path, (this.notModified.get(path) ?? 0) + 1);
      return void res.writeHead(304, { etag }).end();
    }
    // Range requests, as nodejs.org, GitHub and dl.google.com serve them: a client can resume.
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Number(range[2]) : file.length - 1;
    let body = file.subarray(start, end + 1);
    if (fault && "corrupt" in fault) {
      body = Buffer.from(body);
      body[body.length >> 1]! ^= 0xff;
    }
    const headers = { "content-length": body.length, etag, "accept-ranges": "bytes" };
    if (range) res.writeHead(206, { ...headers, "content-range": `bytes ${start}-${end}/${file.length}` });
    else res.writeHead(200, headers);
    const half = body.length >> 1;
    if (fault && "truncate" in fault) {
      res.write(body.subarray(0, half), () => res.socket?.destroy());
    } else if (fault && "stall" in fault) {
      res.write(body.subarray(0, half));
    } else if (fault && "delayMs" in fault) {
      // Headers and half the body now, the rest later: a download that is surely still running when a twin starts.
      res.write(body.subarray(0, half));
      setTimeout(() => res.end(body.subarray(half)), fault.delayMs);
    } else {
      res.end(body);
    }
  }

  private activeFault(path: string): Fault | undefined {
    const fault = this.faults.get(path);
    if (fault === undefined || fault.times === undefined) return fault;
    if (fault.times <= 0) return undefined;
    fault.times--;
    return fault;
  }
}

export const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

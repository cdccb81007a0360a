import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** How a mirror can misbehave for one path. */
/** `status` with `times` answers that status that many times, then serves the file. */
export type Fault = "corrupt" | "truncate" | { status: number; times?: number } | { delayMs: number };

/**
 * A local static server that counts requests per path and can be told to
 * corrupt or truncate a file, or answer with an error status.
 */
export class Mirror {
  readonly files = new Map<string, Buffer>();
  readonly faults = new Map<string, Fault>();
  readonly hits = new Map<string, number>();
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
      mirror!.serve(decodeURIComponent(raw), res);
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

  private serve(path: string, res: import("node:http").ServerResponse): void {
    this.hits.set(path, this.count(path) + 1);
    if (path.endsWith(".tar.gz")) {
      this.maxArchivesInFlight = Math.max(this.maxArchivesInFlight, ++this.archivesInFlight);
      res.on("close", () => this.archivesInFlight--);
    }
    const body = this.files.get(path);
    const fault = this.faults.get(path);
    if (typeof fault === "object" && "status" in fault && (fault.times === undefined || fault.times-- > 0)) {
      res.writeHead(fault.status).end();
    } else if (typeof fault === "object" && "delayMs" in fault && body !== undefined) {
      // Headers and half the body now, the rest later: a download that is surely still running when a twin starts.
      res.writeHead(200, { "content-length": body.length });
      res.write(body.subarray(0, body.length >> 1));
      setTimeout(() => res.end(body.subarray(body.length >> 1)), fault.delayMs);
    } else if (body === undefined) {
      res.writeHead(404).end("not found");
    } else if (fault === "corrupt") {
      const copy = Buffer.from(body);
      copy[copy.length >> 1]! ^= 0xff;
      res.writeHead(200, { "content-length": copy.length }).end(copy);
    } else if (fault === "truncate") {
      res.writeHead(200, { "content-length": body.length });
      res.end(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
    } else {
      res.writeHead(200, { "content-length": body.length }).end(body);
    }
  }
}

export const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

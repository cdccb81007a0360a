import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import type { Dispatcher } from "undici";
import { DevenvError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import type { MetadataFetcher } from "../resolvers/types.js";

export interface HttpOptions {
  /** Never open a connection (SPEC §6 `--offline`). */
  readonly offline: boolean;
  readonly userAgent: string;
  /** How long a connection may stay silent (connecting, before headers, between body chunks) before it is retried. */
  readonly timeoutMs: number;
  /** Where metadata is kept with its ETag / Last-Modified, to be revalidated rather than downloaded again. */
  readonly cacheDir: string;
}

/** A cached metadata response. */
interface CachedText {
  readonly url: string;
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
  readonly body: string;
}

/** An HTTP answer devenv cannot use; `status` lets callers say what it means for them. */
export class HttpStatusError extends DevenvError {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    attempts = 1,
  ) {
    super("network", `GET ${url} answered ${status}${attempts > 1 ? ` after ${attempts} attempts` : ""}`, {
      hint: status === 404 ? "check the version and the mirror (DEVENV_*_MIRROR)" : "try again later, or use a mirror (DEVENV_*_MIRROR)",
    });
  }
}

/** Statuses and socket errors worth another try; everything else is final. */
const retry = {
  maxRetries: 3,
  minTimeout: 300,
  maxTimeout: 3000,
  timeoutFactor: 2,
  methods: ["GET" as const],
  statusCodes: [408, 429, 500, 502, 503, 504],
  errorCodes: ["ECONNRESET", "ECONNREFUSED", "ENOTFOUND", "ENETUNREACH", "EHOSTUNREACH", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"],
};

/** The only code in devenv that opens connections. undici is loaded on first use, so commands that never fetch never pay for it. */
export class Http implements MetadataFetcher {
  #dispatcher: Promise<Dispatcher> | undefined;
  /** Metadata is read once per process: a resolver asks for the same index to resolve and to list artifacts. */
  readonly #texts = new Map<string, Promise<string>>();

  constructor(private readonly options: HttpOptions) {}

  text(url: string, headers: Record<string, string> = {}): Promise<string> {
    let text = this.#texts.get(url);
    if (text === undefined) {
      text = this.revalidate(url, headers);
      this.#texts.set(url, text);
    }
    return text;
  }

  /**
   * Upstream indexes are megabytes (go.dev's JSON) and change rarely: they are
   * kept in DEVENV_HOME with their validators, so asking again costs a 304.
   * Offline, the cached copy is used as it is.
   */
  private async revalidate(url: string, headers: Record<string, string>): Promise<string> {
    const file = join(this.options.cacheDir, `${createHash("sha256").update(url).digest("hex").slice(0, 32)}.json`);
    const cached = readCached(file, url);
    if (cached !== undefined && this.options.offline) return cached.body;
    const conditional = { ...headers };
    if (cached?.etag) conditional["if-none-match"] = cached.etag;
    if (cached?.lastModified) conditional["if-modified-since"] = cached.lastModified;
    const response = await this.get(url, conditional);
    if (response.statusCode === 304 && cached !== undefined) {
      response.body.resume();
      return cached.body;
    }
    let body: string;
    try {
      body = await response.body.text();
    } catch (error) {
      throw unreachable(url, error);
    }
    const etag = single(response.headers.etag);
    const lastModified = single(response.headers["last-modified"]);
    if (etag !== undefined || lastModified !== undefined) {
      mkdirSync(this.options.cacheDir, { recursive: true });
      writeFileAtomic(file, JSON.stringify({ url, etag, lastModified, body } satisfies CachedText));
    }
    return body;
  }

  async json(url: string, headers: Record<string, string> = {}): Promise<unknown> {
    const text = await this.text(url, headers);
    try {
      return JSON.parse(text);
    } catch {
      throw new DevenvError("network", `${url} did not answer JSON`, { hint: "check that the mirror serves the upstream layout" });
    }
  }

  /** A streaming GET of an archive: the body, and its length when the server says. */
  async stream(url: string): Promise<{ body: Readable; size: number | undefined }> {
    const response = await this.get(url, {});
    const length = Number(response.headers["content-length"]);
    return { body: response.body, size: Number.isFinite(length) ? length : undefined };
  }

  private async get(url: string, headers: Record<string, string>) {
    if (this.options.offline) {
      throw new DevenvError("offline", `${url} is needed, but --offline forbids the network`, {
        hint: "run once without --offline (or DEVENV_OFFLINE) to fetch it",
      });
    }
    const { request } = await loadUndici();
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, { dispatcher: await this.dispatcher(), headers: { "user-agent": this.options.userAgent, ...headers } });
    } catch (error) {
      throw unreachable(url, error);
    }
    if (response.statusCode >= 400) {
      response.body.resume();
      throw new HttpStatusError(url, response.statusCode, response.headers);
    }
    return response;
  }

  /** Closes idle keep-alive connections, which would otherwise hold the process open after its work is done. */
  async close(): Promise<void> {
    if (this.#dispatcher !== undefined) await (await this.#dispatcher).destroy();
  }

  private dispatcher(): Promise<Dispatcher> {
    const timeout = this.options.timeoutMs;
    // A stalled body is resumed with a Range request where the server allows it, so nothing is downloaded twice.
    this.#dispatcher ??= loadUndici().then(({ Agent, RetryAgent }) =>
      new RetryAgent(new Agent({ connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout }), retry),
    );
    return this.#dispatcher;
  }
}

/**
 * undici is CommonJS: its exports are `default` both under Node and in the
 * bundle (where named imports of it are lost). Its HTTP parser is WebAssembly,
 * which V8 recompiles in the background with its optimizing tier, and Node
 * waits for that at exit (~75 ms): devenv parses a few responses and exits, so
 * the baseline compiler is enough.
 */
async function loadUndici(): Promise<typeof import("undici")> {
  setFlagsFromString("--liftoff-only");
  return ((await import("undici")) as unknown as { default: typeof import("undici") }).default;
}

function readCached(file: string, url: string): CachedText | undefined {
  try {
    const cached = JSON.parse(readFileSync(file, "utf8")) as CachedText;
    return cached.url === url && typeof cached.body === "string" ? cached : undefined;
  } catch {
    return undefined;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function unreachable(url: string, error: unknown): DevenvError {
  const { statusCode, headers, code, message } = error as { statusCode?: number; headers?: Record<string, string>; code?: string; message?: string };
  // undici's RetryAgent gave up on a retryable status.
  if (statusCode !== undefined) return new HttpStatusError(url, statusCode, headers ?? {}, retry.maxRetries + 1);
  return new DevenvError("network", `GET ${url} failed: ${code ?? message ?? String(error)}`, {
    hint: "check the network or the mirror (DEVENV_*_MIRROR), or use --offline with a warm store",
    cause: error,
  });
}

import { createHash } from "node:crypto";
import { closeSync, createReadStream, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { DevenvError, HttpStatusError, type HttpHeaders as Headers } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { bufferChurn } from "../files/buffer-churn.js";
import type { FetchOptions, MetadataFetcher } from "../resolvers/types.js";
import { proxyAgentOptions, proxyRefusal, type ProxySettings } from "./proxy.js";
import { decode, parseJson } from "./body.js";
import { loadUndici } from "./undici.js";

export type { ProxySettings } from "./proxy.js";

export interface HttpOptions {
  /** Never open a connection (SPEC §6 `--offline`). */
  readonly offline: boolean;
  readonly userAgent: string;
  /** How long a connection may stay silent (connecting, before headers, between body chunks) before it is retried. */
  readonly timeoutMs: number;
  /** Where metadata is kept with its ETag / Last-Modified, to be revalidated rather than downloaded again. */
  readonly cacheDir: string;
  readonly proxy: ProxySettings;
}

/** A cached metadata response. `immutable`: never asked for again. */
interface CachedText {
  readonly url: string;
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
  readonly immutable?: boolean | undefined;
  readonly body: string;
}

/** SPEC §7: at most 5 redirects. */
const maxRedirections = 5;

/**
 * Statuses and socket errors worth another try; everything else is final.
 * 429 is not among them: GitHub sends it when its rate limit is spent, for an
 * hour; the caller says so at once rather than after a minute of retries.
 */
const retry = {
  maxRetries: 3,
  minTimeout: 300,
  maxTimeout: 3000,
  timeoutFactor: 2,
  methods: ["GET" as const],
  statusCodes: [408, 500, 502, 503, 504],
  errorCodes: ["ECONNRESET", "ECONNREFUSED", "ENOTFOUND", "ENETUNREACH", "EHOSTUNREACH", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"],
};

/**
 * The most a server may send: go.dev's full index is ~5 MB and the largest
 * toolchain archive ~200 MB, so a server sending far more is broken or hostile,
 * and would otherwise fill the memory or the disk before any check could fail.
 */
const limits = {
  metadata: { bytes: 64 * 2 ** 20, what: "an index or a checksum file" },
  archive: { bytes: 2 ** 30, what: "a toolchain archive" },
};

/** Below this in a window of twice the timeout, a transfer is stalled however steadily it drips. */
const minimumRate = { bytes: 4096 };

interface Exchange {
  readonly headers: Record<string, string>;
  readonly limit: { readonly bytes: number; readonly what: string };
  readonly onBody: (chunk: Buffer, headers: Headers) => void;
  readonly signal?: AbortSignal | undefined;
}

/** What a GET answered, once its body has been handed over. */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
}

/** The only code in devenv that opens connections. undici is loaded on first use, so commands that never fetch never pay for it. */
export class Http implements MetadataFetcher {
  #dispatcher: Promise<Dispatcher> | undefined;
  /** Metadata is read once per process: a resolver asks for the same index to resolve and to list artifacts. */
  readonly #texts = new Map<string, Promise<string>>();

  constructor(private readonly options: HttpOptions) {}

  text(url: string, options: FetchOptions = {}): Promise<string> {
    let text = this.#texts.get(url);
    if (text === undefined) {
      text = this.revalidate(url, options);
      this.#texts.set(url, text);
    }
    return text;
  }

  /**
   * The same, asking again for files cached as immutable: a checksum file a mirror once
   * served wrong would otherwise be believed for good, and `devenv lock TOOL` could never repair the lock.
   */
  rechecking(): MetadataFetcher {
    const again = new Map<string, Promise<string>>();
    const text = (url: string, options: FetchOptions = {}) => {
      let body = again.get(url);
      if (body === undefined) {
        body = this.revalidate(url, { ...options, recheck: true });
        again.set(url, body);
        this.#texts.set(url, body);
      }
      return body;
    };
    return { text, json: async (url, options) => parseJson(url, await text(url, options)) };
  }

  async json(url: string, options: FetchOptions = {}): Promise<unknown> {
    return parseJson(url, await this.text(url, options));
  }

  /**
   * Upstream indexes are megabytes (go.dev's JSON) and change rarely: they are
   * kept in DEVENV_HOME with their validators, so asking again costs a 304.
   * A file its resolver calls immutable (a published release's checksums) is
   * never asked for again. Offline, the cached copy is used as it is.
   */
  private async revalidate(url: string, options: FetchOptions): Promise<string> {
    const file = join(this.options.cacheDir, `${createHash("sha256").update(url).digest("hex").slice(0, 32)}.json`);
    const cached = readCached(file, url);
    if (cached !== undefined && (this.options.offline || (cached.immutable && options.recheck !== true))) return cached.body;
    const headers: Record<string, string> = { "accept-encoding": "gzip", ...options.headers };
    if (cached?.etag) headers["if-none-match"] = cached.etag;
    if (cached?.lastModified) headers["if-modified-since"] = cached.lastModified;
    const chunks: Buffer[] = [];
    const answer = await this.exchange(url, { headers, limit: limits.metadata, onBody: (chunk) => chunks.push(chunk) });
    if (answer.status === 304 && cached !== undefined) return cached.body;
    ensureOk(url, answer);
    const body = await decode(url, Buffer.concat(chunks), answer.headers, limits.metadata);
    options.validate?.(body);
    const etag = single(answer.headers.etag);
    const lastModified = single(answer.headers["last-modified"]);
    if (options.immutable || etag !== undefined || lastModified !== undefined) {
      mkdirSync(this.options.cacheDir, { recursive: true });
      writeFileAtomic(file, JSON.stringify({ url, etag, lastModified, immutable: options.immutable, body } satisfies CachedText));
    }
    return body;
  }

  /**
   * Downloads `url` into a new file, handing each chunk to `onChunk` as it is
   * written, with the size the server announced, if it did.
   */
  async download(url: string, file: string, onChunk: (chunk: Buffer, size: number | undefined) => void, signal?: AbortSignal, headers: Record<string, string> = {}): Promise<void> {
    const fd = openSync(file, "wx", 0o600);
    const churn = bufferChurn();
    try {
      const onBody = (chunk: Buffer, headers: Headers) => {
        writeSync(fd, chunk);
        churn(chunk.length);
        const length = Number(single(headers["content-length"]));
        onChunk(chunk, Number.isFinite(length) ? length : undefined);
      };
      ensureOk(url, await this.exchange(url, { headers, limit: limits.archive, onBody, signal }));
    } finally {
      closeSync(fd);
    }
  }

  /**
   * One GET, its body handed to `onBody` chunk by chunk.
   *
   * The consumer is synchronous and the response is never paused: undici 7
   * asserts (and the process dies) when a server closes the connection while
   * its parser is paused by backpressure (nodejs/undici#5360, fixed only in
   * undici 8, which needs a newer Node.js). Bodies go to a file or into memory
   * as fast as they arrive, so nothing ever needs to pause it.
   *
   * What a server can make devenv take is bounded: at most `limit.bytes`, and
   * at least `minimumRate.bytes` in every window of twice the timeout (undici's
   * body timeout restarts with each chunk, so a drip of a byte a second never trips it).
   */
  private async exchange(url: string, request: Exchange): Promise<Answer> {
    if (this.options.offline) {
      throw new DevenvError("offline", `${url} is needed, but --offline forbids the network`, {
        hint: "run once without --offline (or DEVENV_OFFLINE) to fetch it",
      });
    }
    const dispatcher = await this.dispatcher();
    const { origin, pathname, search } = new URL(url);
    const { signal, limit, onBody } = request;
    const { proxy } = this.options;
    const windowMs = 2 * this.options.timeoutMs;
    return new Promise<Answer>((resolve, reject) => {
      let answer: Answer | undefined;
      let failure: unknown;
      let received = 0;
      let receivedInWindow = 0;
      let abort: ((reason: Error) => void) | undefined;
      const fail = (error: Error) => {
        failure ??= error;
        abort?.(error);
      };
      const watchdog = setInterval(() => {
        if (answer !== undefined && receivedInWindow < minimumRate.bytes) {
          fail(new DevenvError("network", `GET ${url} timed out: less than ${minimumRate.bytes / 1024} KiB in ${windowMs / 1000} s`, { hint: "check the network or the mirror; DEVENV_HTTP_TIMEOUT sets the timeout in seconds" }));
        }
        receivedInWindow = 0;
      }, windowMs).unref();
      const settle = () => clearInterval(watchdog);
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(controller) {
          abort = (reason) => controller.abort(reason);
          if (failure !== undefined) controller.abort(failure as Error);
          else if (signal?.aborted) controller.abort(signal.reason);
          else signal?.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
        },
        onResponseStart(_controller, status, responseHeaders) {
          answer = { status, headers: responseHeaders as Headers };
        },
        onResponseData(_controller, chunk) {
          if (answer === undefined || answer.status >= 300 || failure !== undefined) return;
          received += chunk.length;
          receivedInWindow += chunk.length;
          if (received > limit.bytes) {
            fail(new DevenvError("network", `GET ${url} sent more than ${limit.bytes / 2 ** 20} MiB, more than ${limit.what} ever is`, { hint: "check the mirror (DEVENV_*_MIRROR)" }));
            return;
          }
          try {
            onBody(chunk, answer.headers);
          } catch (error) {
            // The disk failed (ENOSPC): stop the transfer and report the disk's error, not the network's.
            fail(error as Error);
          }
        },
        onResponseEnd() {
          settle();
          if (failure !== undefined) reject(failure);
          else resolve(answer!);
        },
        onResponseError(_controller, error) {
          settle();
          reject(failure ?? (signal?.aborted ? signal.reason : unreachable(url, error, proxy)));
        },
      };
      dispatcher.dispatch({ origin, path: pathname + search, method: "GET", headers: { "user-agent": this.options.userAgent, ...request.headers } }, handler);
    });
  }

  /**
   * Any other request (HEAD, POST, PUT to a registry): its status, headers and
   * body as text. A body given as a file is streamed, never held in memory.
   * Not retried: these requests change things.
   */
  async send(method: "HEAD" | "POST" | "PUT" | "PATCH" | "GET", url: string, options: { headers?: Record<string, string>; body?: string; file?: { path: string; start: number; end: number } } = {}): Promise<{ status: number; headers: Headers; text: string }> {
    if (this.options.offline) {
      throw new DevenvError("offline", `${url} is needed, but --offline forbids the network`, { hint: "run once without --offline (or DEVENV_OFFLINE)" });
    }
    if (method === "GET") {
      // A GET's body goes through the never-pausing handler, as every download's does.
      const chunks: Buffer[] = [];
      const answer = await this.exchange(url, { headers: options.headers ?? {}, limit: limits.metadata, onBody: (chunk) => chunks.push(chunk) });
      return { status: answer.status, headers: answer.headers, text: Buffer.concat(chunks).toString("utf8") };
    }
    const headers: Record<string, string> = { "user-agent": this.options.userAgent, ...options.headers };
    let body: string | Readable | undefined = options.body;
    if (options.file !== undefined) {
      // Bytes start..end (exclusive) of the file, streamed.
      const { path, start, end } = options.file;
      body = end > start ? createReadStream(path, { start, end: end - 1 }) : "";
      headers["content-length"] = String(end - start);
    }
    try {
      const { origin, pathname, search } = new URL(url);
      const response = await (await this.dispatcher()).request({ origin, path: pathname + search, method, headers, body: body ?? null });
      const text = method === "HEAD" ? "" : await response.body.text();
      return { status: response.statusCode, headers: response.headers as Headers, text };
    } catch (error) {
      throw unreachable(url, error, this.options.proxy, method);
    }
  }

  /** Closes idle keep-alive connections, which would otherwise hold the process open after its work is done. */
  async close(): Promise<void> {
    if (this.#dispatcher !== undefined) await (await this.#dispatcher).destroy();
  }

  /**
   * Retries outermost, so that a retry starts again from the URL devenv asked
   * for (a CDN's signed URL may have expired); a stalled body is resumed with
   * a Range request where the server allows it, so nothing is downloaded twice.
   */
  private dispatcher(): Promise<Dispatcher> {
    const timeout = this.options.timeoutMs;
    const agent = { connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout };
    this.#dispatcher ??= loadUndici().then(({ EnvHttpProxyAgent, Pool, redirect, retry: retrying }) =>
      new EnvHttpProxyAgent(proxyAgentOptions(this.options.proxy, agent, Pool)).compose(
        refuseDowngrade,
        redirect({ maxRedirections }),
        retrying(retry),
      ),
    );
    return this.#dispatcher;
  }
}

/**
 * Sits below undici's redirect interceptor, which sends every hop of one
 * request through it with the same handler: a hop from https to http is
 * refused before it is sent (SPEC §7), as curl and browsers do.
 */
const refuseDowngrade: Dispatcher.DispatcherComposeInterceptor = (dispatch) => {
  const firstProtocol = new WeakMap<object, string>();
  return (opts, handler) => {
    const protocol = new URL(String(opts.origin)).protocol;
    const first = firstProtocol.get(handler);
    if (first === undefined) firstProtocol.set(handler, protocol);
    else if (first === "https:" && protocol === "http:") {
      const error = Object.assign(new Error(`redirected from https to ${opts.origin}${opts.path}, which devenv refuses`), { code: "DEVENV_HTTPS_DOWNGRADE" });
      handler.onResponseError?.(null as unknown as Dispatcher.DispatchController, error);
      return true;
    }
    return dispatch(opts, handler);
  };
};

function ensureOk(url: string, answer: Answer): void {
  if (answer.status >= 400) throw new HttpStatusError(url, answer.status, answer.headers);
  if (answer.status >= 300) {
    const location = single(answer.headers.location);
    throw new DevenvError("network", `GET ${url} answered ${answer.status}${location === undefined ? " without a Location" : ` to ${location} after ${maxRedirections} redirects`}`, {
      hint: "check the mirror (DEVENV_*_MIRROR): it should serve the file, or redirect to it in a few steps",
    });
  }
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

/** TLS verification failures: the certificate chain ends in a CA Node.js does not know. */
const untrustedCertificate = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

function unreachable(url: string, error: unknown, proxy: ProxySettings, method = "GET"): DevenvError {
  const { statusCode, headers, code, message } = error as { statusCode?: number; headers?: Headers; code?: string; message?: string };
  // undici's retry interceptor gave up on a retryable status.
  if (statusCode !== undefined) return new HttpStatusError(url, statusCode, headers ?? {}, retry.maxRetries + 1, method);
  if (code !== undefined && untrustedCertificate.has(code)) {
    return new DevenvError("network", `${method} ${url} failed: its TLS certificate is not signed by a CA this machine trusts (${code})`, {
      hint: "if a mirror or a TLS-intercepting proxy uses your organisation's CA, point NODE_EXTRA_CA_CERTS at that CA's PEM file",
      cause: error,
    });
  }
  const refused = proxyRefusal(url, error, proxy);
  if (refused !== undefined) return refused;
  return new DevenvError("network", `${method} ${url} failed: ${code === "DEVENV_HTTPS_DOWNGRADE" ? message : (code ?? message ?? String(error))}`, {
    hint: "check the network, the proxy (HTTPS_PROXY) or the mirror (DEVENV_*_MIRROR), or use --offline with a warm store",
    cause: error,
  });
}

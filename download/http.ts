import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { DevenvError } from "../errors.js";
import type { MetadataFetcher } from "../resolvers/types.js";

export interface HttpOptions {
  /** Never open a connection (SPEC §6 `--offline`). */
  readonly offline: boolean;
  readonly userAgent: string;
  /** How long a connection may stay silent (connecting, before headers, between body chunks) before it is retried. */
  readonly timeoutMs: number;
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
      text = this.get(url, headers).then((response) => response.body.text().catch((error: unknown) => Promise.reject(unreachable(url, error))));
      this.#texts.set(url, text);
    }
    return text;
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
    const { request } = await import("undici");
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

  private dispatcher(): Promise<Dispatcher> {
    const timeout = this.options.timeoutMs;
    // A stalled body is resumed with a Range request where the server allows it, so nothing is downloaded twice.
    this.#dispatcher ??= import("undici").then(({ Agent, RetryAgent }) =>
      new RetryAgent(new Agent({ connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout }), retry),
    );
    return this.#dispatcher;
  }
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

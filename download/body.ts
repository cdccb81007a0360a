import { DevenvError, type HttpHeaders as Headers } from "../errors.js";

/** A metadata body as text: JSON where JSON was asked for, gzip inflated within its limit. */

export function parseJson(url: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DevenvError("network", `${url} did not answer JSON`, { hint: "check that the mirror serves the upstream layout" });
  }
}

/**
 * Metadata is asked for with `Accept-Encoding: gzip` (GitHub's API answers are large and compress tenfold).
 * zlib is loaded here, not at start-up: most commands never fetch.
 */
export async function decode(url: string, body: Buffer, headers: Headers, limit: { bytes: number; what: string }): Promise<string> {
  const encoding = single(headers["content-encoding"])?.toLowerCase();
  if (encoding === undefined || encoding === "identity") return body.toString("utf8");
  if (encoding !== "gzip" && encoding !== "x-gzip") {
    throw new DevenvError("network", `${url} answered in an encoding devenv did not ask for (${encoding})`, { hint: "check the mirror or the proxy in between" });
  }
  const { gunzipSync } = await import("node:zlib");
  try {
    // The limit counts what the body inflates to, not the bytes that arrived: 3 MB of gzip can be gigabytes.
    return gunzipSync(body, { maxOutputLength: limit.bytes }).toString("utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new DevenvError("network", `${url} inflates to more than ${limit.bytes / 2 ** 20} MiB, larger than ${limit.what}`, { hint: "check the mirror or the proxy in between: upstream serves nothing that large" });
    }
    throw new DevenvError("network", `${url} answered a broken gzip body: ${(error as Error).message}`, { hint: "run the command again; if it keeps failing, check the mirror or the proxy in between", cause: error });
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

import { HttpStatusError } from "../../download/http.js";
import type { ResolveContext } from "../../resolvers/types.js";

/** A ResolveContext whose network is a table of URLs; it records what was asked, with which headers. */
export function fakeContext(files: Record<string, unknown>, options: { mirror?: string; githubToken?: string } = {}) {
  const requests: Array<{ url: string; headers: Record<string, string> }> = [];
  const get = async (url: string, headers: Record<string, string> = {}) => {
    requests.push({ url, headers });
    const value = files[url];
    if (value instanceof Error) throw value;
    if (value === undefined) throw new HttpStatusError(url, 404, {});
    return value;
  };
  const ctx: ResolveContext = {
    mirror: options.mirror,
    githubToken: options.githubToken,
    fetch: { text: async (url, headers) => String(await get(url, headers)), json: get },
  };
  return { ctx, requests };
}

import { HttpStatusError } from "../../errors.js";
import type { FetchOptions, ResolveContext } from "../../resolvers/types.js";

/** A ResolveContext whose network is a table of URLs; it records what was asked, with which headers. */
export function fakeContext(files: Record<string, unknown>, options: { mirror?: string; githubToken?: string } = {}) {
  const requests: Array<{ url: string; headers: Record<string, string> }> = [];
  const get = async (url: string, options: FetchOptions = {}) => {
    requests.push({ url, headers: options.headers ?? {} });
    const value = files[url];
    if (value instanceof Error) throw value;
    if (value === undefined) throw new HttpStatusError(url, 404, {});
    return value;
  };
  const ctx: ResolveContext = {
    mirror: options.mirror,
    githubToken: options.githubToken,
    hashOf: undefined,
    fetch: { text: async (url, options) => String(await get(url, options)), json: get },
  };
  return { ctx, requests };
}

import assert from "node:assert/strict";
import { fetchUrl } from "../../resolvers/types.js";
import { describe, it } from "node:test";
import { DevenvError } from "../../errors.js";
import { node } from "../../resolvers/node.js";
import type { ResolveContext } from "../../resolvers/types.js";

const index = [
  { version: "v22.1.0", lts: false },
  { version: "v21.0.0", lts: false },
  { version: "v20.99.1", lts: "Iron" },
  { version: "v20.98.0", lts: "Iron" },
  { version: "v20.18.0", lts: "Iron" },
  { version: "v18.20.9", lts: "Hydrogen" },
];

function context(files: Record<string, unknown>, mirror = "http://mirror.test"): ResolveContext & { requested: string[] } {
  const requested: string[] = [];
  const get = async (url: string) => {
    requested.push(url);
    if (!(url in files)) throw new Error(`unexpected fetch ${url}`);
    return files[url];
  };
  return { mirror, githubToken: undefined, hashOf: undefined, requested, fetch: { text: async (url) => String(await get(url)), json: get } };
}

describe("node resolver: every spec form of SPEC §2", () => {
  const table: Array<[string, string]> = [
    ["20", "20.99.1"],
    ["20.18", "20.18.0"],
    ["20.98.0", "20.98.0"],
    ["v20.18.0", "20.18.0"],
    ["^20.10", "20.99.1"],
    ["~20.18.0", "20.18.0"],
    [">=18 <20", "18.20.9"],
    ["latest", "22.1.0"],
    ["lts", "20.99.1"],
    ["lts/*", "20.99.1"],
    ["lts/iron", "20.99.1"],
    ["lts/Hydrogen", "18.20.9"],
  ];
  for (const [spec, expected] of table) {
    it(`"${spec}" resolves to ${expected}`, async () => {
      const ctx = context({ "http://mirror.test/index.json": index });
      assert.equal(await node.resolve(spec, ctx), expected);
      assert.deepEqual(ctx.requested, ["http://mirror.test/index.json"]);
    });
  }

  it("never picks a pre-release for a range; only when named exactly", async () => {
    const withRc = [{ version: "v23.0.0-rc.1", lts: false }, ...index];
    assert.equal(await node.resolve("latest", context({ "http://mirror.test/index.json": withRc })), "22.1.0");
    await assert.rejects(node.resolve("23", context({ "http://mirror.test/index.json": withRc })), /no node release matches "23"/);
  });

  it("a spec that matches nothing lists the nearest available versions", async () => {
    const error = await node.resolve("19.5", context({ "http://mirror.test/index.json": index })).catch((e: unknown) => e);
    assert.ok(error instanceof DevenvError);
    assert.equal(error.code, "resolve-failed");
    assert.match(error.message, /no node release matches "19.5"; nearest available: .*18\.20\.9/);
    assert.match(error.message, /20\.18\.0/);
    assert.ok(error.hint);
  });

  it("an unknown LTS codename lists the known ones", async () => {
    await assert.rejects(node.resolve("lts/argon", context({ "http://mirror.test/index.json": index })), /nearest available: lts\/iron, lts\/hydrogen/);
  });

  it("reads the upstream index from the nodejs.org default without a mirror", async () => {
    const ctx = context({ "https://nodejs.org/dist/index.json": index }, undefined);
    // @ts-expect-error: mirror is readonly; the test builds the context without one.
    ctx.mirror = undefined;
    assert.equal(await node.resolve("20", ctx), "20.99.1");
  });

  it("rejects an index that is not nodejs.org's", async () => {
    await assert.rejects(node.resolve("20", context({ "http://mirror.test/index.json": { hello: 1 } })), /not the nodejs.org release index/);
  });
});

describe("node artifacts come from SHASUMS256.txt, never from the archive", () => {
  const hex = (c: string) => c.repeat(64);
  const shasums = [
    `${hex("a")}  node-v20.99.1-linux-x64.tar.gz`,
    `${hex("b")}  node-v20.99.1-darwin-arm64.tar.gz`,
    `${hex("c")}  node-v20.99.1-linux-x64.tar.xz`,
    `${hex("d")}  node-v20.99.1-win-x64.zip`,
    `${hex("e")}  node-v20.99.1.tar.gz`,
  ].join("\n");

  it("records the platforms upstream publishes, with canonical nodejs.org URLs", async () => {
    const ctx = context({ "http://mirror.test/v20.99.1/SHASUMS256.txt": shasums });
    assert.deepEqual(await node.artifacts("20.99.1", ctx), {
      "linux-x64": { url: "https://nodejs.org/dist/v20.99.1/node-v20.99.1-linux-x64.tar.gz", sha256: hex("a") },
      "darwin-arm64": { url: "https://nodejs.org/dist/v20.99.1/node-v20.99.1-darwin-arm64.tar.gz", sha256: hex("b") },
    });
    assert.deepEqual(ctx.requested, ["http://mirror.test/v20.99.1/SHASUMS256.txt"]);
  });

  it("maps canonical URLs onto the mirror for download, and leaves them alone without one", () => {
    const url = "https://nodejs.org/dist/v20.99.1/node-v20.99.1-linux-x64.tar.gz";
    assert.equal(fetchUrl(node, url, "http://127.0.0.1:9/node"), "http://127.0.0.1:9/node/v20.99.1/node-v20.99.1-linux-x64.tar.gz");
    assert.equal(fetchUrl(node, url, undefined), url);
  });
});

describe("node spec syntax", () => {
  for (const spec of ["20", "20.18", "20.18.0", "v20", "^20.10", ">=18 <20", "~1.2.3", "latest", "lts", "lts/*", "lts/iron", "LTS/Iron", "20.x"]) {
    it(`accepts "${spec}"`, () => assert.equal(node.isValidSpec(spec), true));
  }
  for (const spec of ["twenty", "v", "lts/", "lts/ir0n", "20.18.0.1", "node@20", ">>20"]) {
    it(`rejects "${spec}"`, () => assert.equal(node.isValidSpec(spec), false));
  }
});

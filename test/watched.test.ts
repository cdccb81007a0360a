import assert from "node:assert/strict";
import { it } from "node:test";
import { stampableFrom } from "../project/watched.js";

const second = 1_000_000_000n;
const at = 1_764_800_000n * second;

it("a written file is stamped once a tick has passed: 50 ms, or 3 s where the filesystem keeps whole seconds", () => {
  // A write sets mtime and ctime together; a rename or a chmod just after moves ctime a little.
  assert.equal(stampableFrom(at + 123_456_789n, at + 123_456_789n), at + 173_456_789n);
  assert.equal(stampableFrom(at + 123_456_789n, at + 900_000_000n), at + 173_456_789n);
  assert.equal(stampableFrom(at, at), at + 3n * second);
});

it("a file whose mtime was set, not written, is never stamped: npm's 1985-10-26, tar's, cp -p's, one ahead of its ctime", () => {
  const npm = BigInt(Date.parse("1985-10-26T08:15:00.000Z")) * 1_000_000n;
  assert.equal(stampableFrom(npm, at), undefined);
  assert.equal(stampableFrom(at - 10n * second, at), undefined);
  assert.equal(stampableFrom(at + second, at), undefined);
});

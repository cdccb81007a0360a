import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../files/atomic.js";

/**
 * devenv.ts is code: it is evaluated only once its owner trusts it. Trust is
 * the file's path plus the hash of its content, kept in DEVENV_HOME, so any
 * change to the file asks again.
 */
export interface TrustStore {
  readonly dir: string;
}

export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function recordFile(store: TrustStore, file: string): string {
  return join(store.dir, createHash("sha256").update(file).digest("hex").slice(0, 32));
}

export function isTrusted(store: TrustStore, file: string, text: string): boolean {
  try {
    return readFileSync(recordFile(store, file), "utf8") === `${file}\n${contentHash(text)}\n`;
  } catch {
    return false;
  }
}

export function trust(store: TrustStore, file: string, text: string): void {
  mkdirSync(store.dir, { recursive: true });
  writeFileAtomic(recordFile(store, file), `${file}\n${contentHash(text)}\n`);
}

export function revokeTrust(store: TrustStore, file: string): void {
  rmSync(recordFile(store, file), { force: true });
}

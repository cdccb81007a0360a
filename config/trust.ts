import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../files/atomic.js";

/**
 * devenv.ts is code: it is evaluated only once its owner trusts it. Trust is
 * the file's path plus the fingerprint of every file its evaluation reads
 * (config/load.ts), kept in DEVENV_HOME, so any change to any of them asks again.
 */
export interface TrustStore {
  readonly dir: string;
}

function recordFile(store: TrustStore, file: string): string {
  return join(store.dir, createHash("sha256").update(file).digest("hex").slice(0, 32));
}

export function isTrusted(store: TrustStore, file: string, fingerprint: string): boolean {
  try {
    return readFileSync(recordFile(store, file), "utf8") === `${file}\n${fingerprint}\n`;
  } catch {
    return false;
  }
}

export function trust(store: TrustStore, file: string, fingerprint: string): void {
  mkdirSync(store.dir, { recursive: true, mode: 0o700 });
  writeFileAtomic(recordFile(store, file), `${file}\n${fingerprint}\n`, 0o600);
}

export function revokeTrust(store: TrustStore, file: string): void {
  rmSync(recordFile(store, file), { force: true });
}

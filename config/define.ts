// What `import ... from "devenv"` gives a devenv.ts. This file's declarations ship on their own
// (package.json points at them), so they import nothing: they resolve under any moduleResolution.

/** A version spec (SPEC §2), or an object with room for per-tool options. */
export type ToolSpec = string | { version: string };

/**
 * Any repository's GitHub releases, as `"github:OWNER/REPO"`. devenv picks each platform's asset
 * by the words in its name; `asset` names it where that is ambiguous (a template with
 * `{version}`, `{os}`, `{arch}`), `bin` the programs inside the archive to put on PATH.
 */
export type GithubSpec = string | { version: string; asset?: string; bin?: string[] };

/** The tools devenv knows: the toolchains, then every record (generated; test/unit/records.test.ts checks it). */
export interface DevenvTools {
  node?: ToolSpec;
  python?: ToolSpec;
  go?: ToolSpec;
  [repo: `github:${string}`]: GithubSpec | undefined;
  // records:start (npm run records)
  /** Static checker for GitHub Actions workflow files */
  "actionlint"?: ToolSpec;
  /** Live-reload runner for Go applications */
  "air"?: ToolSpec;
  /** cat clone with syntax highlighting and git integration */
  "bat"?: ToolSpec;
  /** Fast formatter and linter for JS, TS, JSON, CSS and more */
  "biome"?: ToolSpec;
  /** Protocol Buffers toolkit: lint, breaking-change checks, codegen */
  "buf"?: ToolSpec;
  /** JavaScript runtime, bundler, test runner and package manager */
  "bun"?: string | { version: string; variant?: "baseline" };
  /** Service discovery and mesh agent/CLI from HashiCorp */
  "consul"?: ToolSpec;
  /** Signs and verifies containers and blobs (Sigstore) */
  "cosign"?: ToolSpec;
  /** Framework-agnostic SQL database migration tool */
  "dbmate"?: ToolSpec;
  /** Syntax-highlighting pager for git, diff and grep output */
  "delta"?: ToolSpec;
  /** JavaScript and TypeScript runtime with built-in tooling */
  "deno"?: ToolSpec;
  /** Loads and unloads environment variables per directory */
  "direnv"?: ToolSpec;
  /** Pluggable, fast code formatting platform */
  "dprint"?: ToolSpec;
  /** Quick, friendly alternative to find for locating files */
  "fd"?: ToolSpec;
  /** General-purpose interactive fuzzy finder for the terminal */
  "fzf"?: ToolSpec;
  /** GitHub's official command-line client */
  "gh"?: ToolSpec;
  /** Detects hard-coded secrets in git repositories */
  "gitleaks"?: ToolSpec;
  /** Fast runner for many Go linters */
  "golangci-lint"?: ToolSpec;
  /** Release automation for Go (and other) projects */
  "goreleaser"?: ToolSpec;
  /** Vulnerability scanner for container images and filesystems */
  "grype"?: ToolSpec;
  /** Dockerfile linter that also checks embedded shell with ShellCheck */
  "hadolint"?: ToolSpec;
  /** Package manager for Kubernetes charts */
  "helm"?: ToolSpec;
  /** Command-line benchmarking tool with statistical output */
  "hyperfine"?: ToolSpec;
  /** Lightweight command-line JSON processor */
  "jq"?: ToolSpec;
  /** Handy command runner for project-specific recipes */
  "just"?: ToolSpec;
  /** Terminal UI for watching and managing Kubernetes clusters */
  "k9s"?: ToolSpec;
  /** Runs local Kubernetes clusters inside Docker containers */
  "kind"?: ToolSpec;
  /** Command-line client for Kubernetes clusters */
  "kubectl"?: ToolSpec;
  /** Quick switcher for kubectl contexts (kubens ships separately) */
  "kubectx"?: ToolSpec;
  /** Template-free customisation of Kubernetes YAML */
  "kustomize"?: ToolSpec;
  /** Terminal UI for everyday git commands */
  "lazygit"?: ToolSpec;
  /** Database migrations CLI from golang-migrate */
  "migrate"?: ToolSpec;
  /** Creates locally trusted development TLS certificates */
  "mkcert"?: ToolSpec;
  /** Builds machine images from a single template (HashiCorp) */
  "packer"?: ToolSpec;
  /** Fast, disk-efficient Node.js package manager */
  "pnpm"?: ToolSpec;
  /** Prebuilt PostgreSQL server and client binaries (theseus-rs) */
  "postgres"?: ToolSpec;
  /** Protocol Buffers compiler (protoc) with bundled well-known .proto files */
  "protoc"?: ToolSpec;
  /** Fast recursive grep that honours .gitignore rules */
  "ripgrep"?: ToolSpec;
  /** Very fast Python linter and formatter */
  "ruff"?: ToolSpec;
  /** Static analyser that finds bugs and pitfalls in shell scripts */
  "shellcheck"?: ToolSpec;
  /** Formatter for POSIX sh, bash and mksh scripts (from mvdan/sh) */
  "shfmt"?: ToolSpec;
  /** Generates type-safe code from SQL queries */
  "sqlc"?: ToolSpec;
  /** Tails logs from many Kubernetes pods and containers at once */
  "stern"?: ToolSpec;
  /** Generates SBOMs from container images and filesystems */
  "syft"?: ToolSpec;
  /** Task runner and build tool driven by Taskfile.yml */
  "task"?: ToolSpec;
  /** Generates documentation from Terraform modules */
  "terraform-docs"?: ToolSpec;
  /** Infrastructure-as-code CLI from HashiCorp */
  "terraform"?: ToolSpec;
  /** Pluggable linter for Terraform configurations */
  "tflint"?: ToolSpec;
  /** Scanner for vulnerabilities, misconfigurations and secrets */
  "trivy"?: ToolSpec;
  /** Very fast Python package and project manager */
  "uv"?: ToolSpec;
  /** Secrets management CLI and server from HashiCorp */
  "vault"?: ToolSpec;
  /** Runs a command whenever watched files change */
  "watchexec"?: ToolSpec;
  /** Portable YAML/JSON/XML processor in the spirit of jq */
  "yq"?: ToolSpec;
  /** Zig compiler and C/C++ cross-compilation toolchain */
  "zig"?: ToolSpec;
  // records:end
}

/**
 * How `devenv up` tells a process is ready, so that what comes `after` it may start (default: once started):
 * exactly one of `tcp` (a port on 127.0.0.1), `http` (a URL on this machine), `exec` (a command exiting 0),
 * `log` (a regular expression a line of its output matches); `timeout` in seconds (60).
 */
export interface DevenvReady {
  tcp?: number;
  http?: string;
  exec?: string;
  log?: string;
  timeout?: number;
}

/** One process of `devenv up`: a command, or its options. */
export type DevenvProcess =
  | string
  | {
      /** A command for sh, run in the project's environment, from the project root (or `cwd`). */
      run: string;
      /** Processes that must be ready first. */
      after?: string[];
      ready?: DevenvReady;
      /** "no" (default), or "on-failure": restarted with a growing pause, five times at most. */
      restart?: "no" | "on-failure";
      env?: Record<string, string>;
      /** Project-relative. */
      cwd?: string;
      /** How it is stopped: the signal to its process group (SIGTERM), then SIGKILL after `grace` seconds (10). */
      stop?: { signal?: "SIGTERM" | "SIGINT" | "SIGQUIT" | "SIGHUP"; grace?: number };
    };

export interface DevenvConfig {
  /** Toolchains, in the order they go on PATH. */
  tools?: DevenvTools;
  /** Exported verbatim into shell, run and env. */
  env?: Record<string, string>;
  /** Project-relative directories, after the toolchains on PATH. */
  path?: string[];
  /** What `devenv up` runs, each in the project's environment. */
  processes?: Record<string, DevenvProcess>;
  /** Commands on PATH inside the environment, after the tools, their arguments appended: `devenv run fmt`, `fmt` in `devenv shell`. */
  scripts?: Record<string, string | { run: string; description?: string }>;
  /** Services `devenv up` runs with the pinned tool of the same name; `after: ["postgres"]` waits for one. */
  services?: DevenvServices;
}

/** The services devenv knows (docs/spec.md §10). */
export interface DevenvServices {
  /** The pinned postgres (`tools: { postgres: "17" }`): its data in the project's state, its socket private. */
  postgres?: boolean | { port?: number; databases?: string[] };
}

export type DevenvConfigExport = DevenvConfig | (() => DevenvConfig | Promise<DevenvConfig>);

/**
 * Identity: it exists so that `devenv.ts` gets types, and so that tsc flags a key devenv does not
 * know (SPEC §2), as validation would when devenv loads the file.
 */
export function defineConfig<C extends DevenvConfigExport>(config: Checked<C>): C;
export function defineConfig(config: DevenvConfigExport): DevenvConfigExport {
  return config;
}

/**
 * An object is checked as any object literal is: tsc names an unknown key where it stands. A
 * function's returned literal gets no such check (microsoft/TypeScript#241), so `C` captures the
 * function and its return type is checked with every unknown key made `never`. A `C` that is no
 * config at all falls back to DevenvConfigExport itself, whose error says what is wrong.
 */
type Checked<C> = DevenvConfigExport extends C
  ? DevenvConfigExport
  : C extends () => infer R
    ? C & (() => R extends Promise<infer P> ? Promise<KnownKeys<P, DevenvConfig>> : KnownKeys<R, DevenvConfig>)
    : DevenvConfig;

/** `T` with each key `Shape` does not have, at any depth, typed `never`. */
type KnownKeys<T, Shape> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]: K extends keyof Extract<Shape, object> ? KnownKeys<T[K], Extract<Shape, object>[K]> : never }
    : T;

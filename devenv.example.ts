// An example devenv.ts. Copy it to your project root as `devenv.ts`, or run `devenv init`.
// `import ... from "devenv"` works without devenv in package.json: devenv provides it.
import { defineConfig } from "devenv";

export default defineConfig({
  // Toolchains, in the order they go on PATH. Each spec is a line ("20" = newest 20.x),
  // an exact version ("20.18.0"), a semver range ("^20.10"), "latest", or for node "lts" / "lts/iron".
  tools: {
    node: "20",
  },
  // Exported verbatim into `devenv shell`, `devenv run` and `devenv env`.
  env: {
    APP_ENV: "dev",
  },
  // Project-relative directories, placed after the toolchains on PATH.
  path: ["node_modules/.bin"],
});

import { postgres } from "./postgres.js";
import type { Service } from "./types.js";

/** Every service devenv.ts may enable, by its key under `services`. */
export const services: Readonly<Record<string, Service>> = { postgres: postgres as Service };

import { userInfo } from "node:os";
import { dirname } from "node:path";
import { ensurePrivateDir } from "../files/private-dir.js";
import { projectState, socketDir, type StoreLayout } from "../layout.js";
import type { ServicePlaces } from "../services/types.js";

/** Where a project's service `name` keeps its data and sockets (layout.ts); `create`: made private now. */
export function servicePlaces(layout: StoreLayout, root: string, name: string, create = false): ServicePlaces {
  const uid = process.getuid?.() ?? 0;
  const places = { state: projectState(layout, root).service(name), sockets: socketDir(root, uid), user: userInfo().username };
  if (create) {
    ensurePrivateDir(places.state);
    // Its parent too: another user's /tmp/devenv-<uid> could swap the directory under it.
    ensurePrivateDir(dirname(places.sockets));
    ensurePrivateDir(places.sockets);
  }
  return places;
}

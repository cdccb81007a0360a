import { collectGarbage } from "../../store/gc.js";
import type { Context } from "../context.js";

export async function gcCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const dryRun = args.dryRun === true;
  const { entries, roots, temps } = await collectGarbage(ctx.layout, ctx.platform, dryRun);
  const verb = dryRun ? "would remove" : "removed";
  for (const { name, bytes } of entries) process.stdout.write(`${verb} ${name} (${megabytes(bytes)})\n`);
  for (const project of roots) process.stdout.write(`${verb} root ${project} (project or lock gone)\n`);
  for (const name of temps) process.stdout.write(`${verb} leftover tmp/${name}\n`);
  const total = entries.reduce((sum, e) => sum + e.bytes, 0);
  process.stdout.write(`${dryRun ? "would free" : "freed"} ${megabytes(total)} in ${entries.length} ${entries.length === 1 ? "entry" : "entries"}\n`);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

import { DevenvError } from "../errors.js";

/**
 * Runs `work` over every item concurrently and waits for all of them. When
 * some fail, all their errors are reported together, in the items' order,
 * rather than the first one to lose a race.
 */
export async function settleAll<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results = await Promise.allSettled(items.map(work));
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  if (failures.length === 0) return results.map((r) => (r as PromiseFulfilledResult<R>).value);
  const [first] = failures;
  if (failures.length === 1 || !failures.every((f) => f instanceof DevenvError)) throw first;
  const errors = failures as DevenvError[];
  return Promise.reject(
    new DevenvError(errors[0]!.code, errors.map((e) => e.message).join("\n"), {
      hint: [...new Set(errors.map((e) => e.hint).filter((h) => h !== undefined))].join("; "),
      exitCode: Math.max(...errors.map((e) => e.exitCode)),
    }),
  );
}

import type { WriteStream } from "node:tty";

/** Reports bytes for one download. */
export interface ProgressTask {
  advance(bytes: number): void;
  done(): void;
}

export interface Progress {
  start(label: string, total: number | undefined): ProgressTask;
}

const silent: Progress = { start: () => ({ advance() {}, done() {} }) };

/**
 * One status line for all running downloads: what, how much, how fast.
 * Only on a TTY (SPEC §6); elsewhere progress is silent.
 */
export function createProgress(stream: NodeJS.WriteStream, enabled: boolean): Progress {
  if (!enabled || !stream.isTTY) return silent;
  const tty = stream as WriteStream;
  const tasks = new Set<{ label: string; total: number | undefined; bytes: number }>();
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;

  const render = () => {
    const bytes = [...tasks].reduce((sum, t) => sum + t.bytes, 0);
    const total = [...tasks].every((t) => t.total !== undefined) ? [...tasks].reduce((sum, t) => sum + (t.total ?? 0), 0) : undefined;
    const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
    const labels = [...tasks].map((t) => t.label).join(", ");
    const amount = total === undefined ? megabytes(bytes) : `${megabytes(bytes)}/${megabytes(total)}`;
    const line = `Downloading ${labels}  ${amount}  ${megabytes(bytes / seconds)}/s`;
    tty.write(`\r${line.slice(0, (tty.columns || 80) - 1)}\x1b[K`);
  };

  return {
    start(label, total) {
      const task = { label, total, bytes: 0 };
      tasks.add(task);
      timer ??= setInterval(render, 100).unref();
      return {
        advance(bytes) {
          task.bytes += bytes;
        },
        done() {
          tasks.delete(task);
          if (tasks.size > 0) return;
          clearInterval(timer);
          timer = undefined;
          tty.write("\r\x1b[K");
        },
      };
    },
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

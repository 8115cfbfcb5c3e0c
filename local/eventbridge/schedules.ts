// The local home's scheduler: runs each declared schedule (app-declaration `schedules`) by invoking its
// function in process with an EventBridge "Scheduled Event", every rate(...) interval. The local
// EventBridge stores schedule rules (so they can be listed and described like on AWS) but runs none.
import { randomUUID } from "node:crypto";
import type { ScheduleDeclaration } from "../../app/app-declaration.ts";

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The interval of a rate(...) expression, ms; cron(...) is not run locally. */
export function rateMs(expression: string): number {
  const match = RATE.exec(expression);
  if (!match) throw new Error(`the local scheduler runs rate(...) expressions only, got ${expression}`);
  const n = Number(match[1]);
  const unit = (match[2] ?? "").replace(/s$/, "");
  if (n < 1) throw new Error(`rate must be at least 1 in ${expression}`);
  return n * (UNIT_MS[unit] ?? 0);
}

export interface ScheduledEventTarget {
  invoke(functionId: string, payload: unknown): Promise<unknown>;
}

/** Starts every schedule; returns a stop function. A run still going when the next is due is skipped. */
export function startSchedules(
  schedules: readonly ScheduleDeclaration[],
  target: ScheduledEventTarget,
  options: { account: string; region: string; onError: (name: string, error: unknown) => void },
): () => void {
  const timers = schedules.map((schedule) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      const event = {
        version: "0",
        id: randomUUID(),
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: options.account,
        time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        region: options.region,
        resources: [`arn:aws:events:${options.region}:${options.account}:rule/${schedule.name}`],
        detail: {},
      };
      target
        .invoke(schedule.functionId, event)
        .catch((error: unknown) => options.onError(schedule.name, error))
        .finally(() => {
          running = false;
        });
    }, rateMs(schedule.expression));
    timer.unref();
    return timer;
  });
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}

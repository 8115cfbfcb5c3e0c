// The local scheduler (local/eventbridge/schedules.ts): rate(...) intervals, a Scheduled Event per tick
// to the declared function, no overlapping runs, and stop.
import { afterEach, describe, expect, it, vi } from "vitest";
import { schedules } from "../../app/app-declaration.ts";
import { rateMs, startSchedules } from "../../local/eventbridge/schedules.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("the local scheduler", () => {
  it("reads rate expressions and refuses what it cannot run", () => {
    expect(rateMs("rate(1 minute)")).toBe(60_000);
    expect(rateMs("rate(5 minutes)")).toBe(300_000);
    expect(rateMs("rate(2 hours)")).toBe(7_200_000);
    expect(() => rateMs("cron(0 12 * * ? *)")).toThrow(/rate/);
    for (const s of schedules) expect(rateMs(s.expression)).toBeGreaterThan(0);
  });

  it("invokes the function with a Scheduled Event each interval, never two runs at once, until stopped", async () => {
    vi.useFakeTimers();
    const calls: { functionId: string; event: Record<string, unknown> }[] = [];
    let finish: () => void = () => undefined;
    const target = {
      invoke: (functionId: string, event: unknown) => {
        calls.push({ functionId, event: event as Record<string, unknown> });
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    };
    const stop = startSchedules(
      [{ name: "w", description: "", expression: "rate(1 minute)", functionId: "scheduled-routing-wave" }],
      target,
      { account: "000000000000", region: "us-east-1", onError: () => undefined },
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      functionId: "scheduled-routing-wave",
      event: {
        "detail-type": "Scheduled Event",
        source: "aws.events",
        resources: ["arn:aws:events:us-east-1:000000000000:rule/w"],
      },
    });
    await vi.advanceTimersByTimeAsync(60_000); // the first run is still going: skipped
    expect(calls).toHaveLength(1);
    finish();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(2);
    finish();
    stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls).toHaveLength(2);
  });
});

// The routing wave's schedule target: runs the wave use case (POST /routing/waves runs the same) and
// logs what it did. A failed run throws; the next scheduled run picks up whatever still waits.
import middy from "@middy/core";
import { z } from "zod";
import { runRoutingWave } from "../../usecases/routing-waves.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { logger } from "../shared/logger.ts";

const deps = routingDeps();

/** The scheduled event (EventBridge "Scheduled Event"); only its time is used, for the log. */
const scheduledEventSchema = z.object({ "detail-type": z.literal("Scheduled Event"), time: z.string() });

export const handler = middy<unknown>().handler(async (event) => {
  const scheduled = scheduledEventSchema.parse(event);
  const result = await runRoutingWave(deps);
  const { orders: _orders, ...summary } = result;
  logger.info("routing wave", { scheduledAt: scheduled.time, ...summary });
  return summary;
});

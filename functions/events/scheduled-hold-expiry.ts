// The reservation-hold sweep's schedule target: holds of stuck orders (EXCEPTION, or awaiting approval)
// that are past their channel's hold time release the stock the order still holds (usecases/reservations.ts
// expireDueHolds). One run per minute costs the same whatever the order volume (a timer per hold cost a
// Standard execution each).
import middy from "@middy/core";
import { z } from "zod";
import { expireDueHolds } from "../../usecases/reservations.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { logger } from "../shared/logger.ts";

const deps = useCaseDeps();

/** The scheduled event (EventBridge "Scheduled Event"); only its time is used, for the log. */
const scheduledEventSchema = z.object({ "detail-type": z.literal("Scheduled Event"), time: z.string() });

export const handler = middy<unknown>().handler(async (event) => {
  const scheduled = scheduledEventSchema.parse(event);
  const result = await expireDueHolds(deps, {
    onError: (hold, error) =>
      logger.error("reservation hold not ended", {
        orderId: hold.orderId,
        exceptionAt: hold.exceptionAt,
        error: (error as Error).message,
      }),
  });
  logger.info("reservation holds", { scheduledAt: scheduled.time, ...result });
  return result;
});

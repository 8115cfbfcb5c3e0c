// The overdue-submission sweep's schedule target: parts of locations that answer, unanswered past their
// due time, are escalated or re-allocated (usecases/submissions.ts). One run per minute costs the same
// whatever the order volume (a timer per part would cost a state machine execution each).
import middy from "@middy/core";
import { z } from "zod";
import { sweepOverdueSubmissions } from "../../usecases/submissions.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { logger } from "../shared/logger.ts";

const deps = useCaseDeps();

/** The scheduled event (EventBridge "Scheduled Event"); only its time is used, for the log. */
const scheduledEventSchema = z.object({ "detail-type": z.literal("Scheduled Event"), time: z.string() });

export const handler = middy<unknown>().handler(async (event) => {
  const scheduled = scheduledEventSchema.parse(event);
  const result = await sweepOverdueSubmissions(deps, {
    onError: (part, error) =>
      logger.error("overdue submission not handled", {
        orderId: part.orderId,
        locationId: part.locationId,
        error: (error as Error).message,
      }),
  });
  logger.info("overdue submissions", { scheduledAt: scheduled.time, ...result });
  return result;
});

// Workflow task of the reservation-hold state machine: {orderId, exceptionAt} -> releases the order's
// reservations when it is still stuck in that exception (see usecases/reservations.ts).
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { z } from "zod";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { expireReservations } from "../../usecases/reservations.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { logger } from "../shared/logger.ts";

const inputSchema = z.object({ orderId: z.string().min(1), exceptionAt: z.string().min(1) });
const deps = useCaseDeps();

export const handler = middy<unknown, { orderId: string; released: number }, Error, Context>().handler(
  async (event) => {
    const input = inputSchema.safeParse(event);
    if (!input.success) throw toValidationError(input.error);
    const released = await expireReservations(deps, input.data.orderId, input.data.exceptionAt);
    logger.info("reservation hold ended", { orderId: input.data.orderId, released });
    return { orderId: input.data.orderId, released };
  },
);

// POST /orders: a channel submits an order. Wiring only: body checks, the capture use case, 202.
import middy from "@middy/core";
import { MAX_ORDER_BODY_BYTES } from "../../app/app-declaration.ts";
import { ValidationError } from "../../domain/shared/errors.ts";
import { captureOrder } from "../../usecases/capture-order.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";
import { logger } from "../shared/logger.ts";

const deps = useCaseDeps();
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(MAX_ORDER_BODY_BYTES))
  .handler(async (event) => {
    const key = event.headers?.["idempotency-key"];
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw ValidationError.single(
        "header.Idempotency-Key",
        "INVALID_IDEMPOTENCY_KEY",
        "Idempotency-Key must be 1-255 visible ASCII characters",
      );
    }
    const result = await captureOrder(deps, event.jsonBody, key);
    (event.log ?? logger).info(result.replayed ? "order request replayed" : "order captured", {
      orderId: result.orderId,
    });
    const self = `/orders/${result.orderId}`;
    return jsonResponse(202, { ...result, links: { self } }, { location: self });
  });

// POST /stock-updates: a location system's batch of counts or movements. Wiring only.
import middy from "@middy/core";
import { MAX_STOCK_UPDATE_BODY_BYTES } from "../../app/app-declaration.ts";
import { applyStockUpdate } from "../../usecases/stock-updates.ts";
import { inventoryDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";
import { logger } from "../shared/logger.ts";

const deps = inventoryDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(MAX_STOCK_UPDATE_BODY_BYTES))
  .handler(async (event) => {
    const result = await applyStockUpdate(deps, event.jsonBody);
    (event.log ?? logger).info(result.replayed ? "stock update replayed" : "stock update applied", {
      updateId: result.updateId,
      applied: result.applied,
      ignored: result.ignored.length,
    });
    return jsonResponse(200, result);
  });

// GET /stock?sku=: a SKU's stock at every location, as stored (operators' view; channels use
// /availability). Strongly consistent: what a stock update or reservation just wrote.
import middy from "@middy/core";
import { stockQuerySchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { stockOfSku } from "../../usecases/availability.ts";
import { inventoryDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = inventoryDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const query = stockQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) throw toValidationError(query.error);
    return jsonResponse(200, await stockOfSku(deps, query.data.sku));
  });

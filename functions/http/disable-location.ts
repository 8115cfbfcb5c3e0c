// POST /locations/{locationId}/disable: out of routing and channels' availability. The body (a reason)
// is optional.
import middy from "@middy/core";
import { locationParamsSchema } from "../../app/api-schemas.ts";
import { locationView } from "../../domain/inventory/location.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { disableLocation } from "../../usecases/locations.ts";
import { inventoryDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = inventoryDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(4096, { optional: true }))
  .handler(async (event) => {
    const params = locationParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    return jsonResponse(
      200,
      locationView(await disableLocation(deps, params.data.locationId, event.jsonBody)),
    );
  });

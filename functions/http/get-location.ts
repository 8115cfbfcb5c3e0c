// GET /locations/{locationId}: one location's configuration.
import middy from "@middy/core";
import { locationParamsSchema } from "../../app/api-schemas.ts";
import { locationView } from "../../domain/inventory/location.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { getLocation } from "../../usecases/locations.ts";
import { inventoryDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = inventoryDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const params = locationParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    return jsonResponse(200, locationView(await getLocation(deps, params.data.locationId)));
  });

// GET /locations?kind=&network=&enabled=: every location (the list is small: one partition).
import middy from "@middy/core";
import { listLocationsQuerySchema } from "../../app/api-schemas.ts";
import { locationView } from "../../domain/inventory/location.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { listLocations } from "../../usecases/locations.ts";
import { inventoryDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = inventoryDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const query = listLocationsQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) throw toValidationError(query.error);
    return jsonResponse(200, { items: (await listLocations(deps, query.data)).map(locationView) });
  });

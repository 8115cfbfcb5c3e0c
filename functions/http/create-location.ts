// POST /locations: a new fulfillment location. Wiring only: body checks, the use case, 201.
import middy from "@middy/core";
import { MAX_LOCATION_BODY_BYTES } from "../../app/app-declaration.ts";
import { locationView } from "../../domain/inventory/location.ts";
import { createLocation } from "../../usecases/locations.ts";
import { inventoryDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = inventoryDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(MAX_LOCATION_BODY_BYTES))
  .handler(async (event) => {
    const location = await createLocation(deps, event.jsonBody);
    const self = `/locations/${location.locationId}`;
    return jsonResponse(201, locationView(location), { location: self });
  });

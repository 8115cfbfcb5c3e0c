// GET /availability?channel=&skus=&lat=&lon=&postalCode=&country=&radiusKm=&limit=: what a channel may
// sell, per SKU and location. The hot read path (2 to 700 checks per order): no writes, no transactions.
import middy from "@middy/core";
import { availabilityQuerySchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { checkAvailability } from "../../usecases/availability.ts";
import { inventoryDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = inventoryDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const query = availabilityQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) throw toValidationError(query.error);
    const { channel, skus, lat, lon, postalCode, country, radiusKm, limit } = query.data;
    const coordinates = lat !== undefined && lon !== undefined ? { lat, lon } : undefined;
    const answer = await checkAvailability(deps, {
      channelId: channel,
      skus,
      near: { coordinates, postalCode, country, radiusKm },
      limit,
    });
    return jsonResponse(200, answer);
  });

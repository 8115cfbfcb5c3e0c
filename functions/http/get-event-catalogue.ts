// GET /events/catalogue: every event type and version with the JSON Schema of its detail, generated
// from the same zod schemas the publishers validate with (docs/events/ holds the same documents).
import middy from "@middy/core";
import { eventCatalogue } from "../../app/event-schemas.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const catalogue = { items: eventCatalogue() };

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async () => jsonResponse(200, catalogue));

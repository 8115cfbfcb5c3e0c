// GET /openapi.json: the OpenAPI document generated from the route declarations' zod schemas.
import middy from "@middy/core";
import { openApiDocument } from "../../app/openapi.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const document = openApiDocument();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async () => jsonResponse(200, document));

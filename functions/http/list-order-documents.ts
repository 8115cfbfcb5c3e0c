// GET /orders/{orderId}/documents: the order's documents with download links.
import middy from "@middy/core";
import { orderIdParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { listOrderDocuments } from "../../usecases/documents.ts";
import { documentDeps } from "../shared/document-dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = documentDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const params = orderIdParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    return jsonResponse(200, await listOrderDocuments(deps, params.data.orderId));
  });

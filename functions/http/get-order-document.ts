// GET /orders/{orderId}/documents/{documentId}: the document's file (a PDF), base64-encoded for the HTTP
// API as its payload format requires for binary bodies.
import middy from "@middy/core";
import { orderDocumentParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { getOrderDocumentFile } from "../../usecases/documents.ts";
import { documentDeps } from "../shared/document-dependencies.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = documentDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const params = orderDocumentParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    const { document, body } = await getOrderDocumentFile(deps, params.data.orderId, params.data.documentId);
    return {
      statusCode: 200,
      headers: {
        "content-type": document.contentType,
        "content-disposition": `inline; filename="${document.fileName}"`,
        etag: `"${document.sha256}"`,
      },
      body: Buffer.from(body).toString("base64"),
      isBase64Encoded: true,
    };
  });

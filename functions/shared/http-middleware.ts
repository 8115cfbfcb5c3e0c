// Middy wiring shared by the HTTP handlers: request-id and logger context, JSON body checks (media type,
// size, syntax) before the handler runs, and the error mapping after it fails.

import type { Logger } from "@aws-lambda-powertools/logger";
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from "aws-lambda";
import { OmsError, RequestError } from "../../domain/shared/errors.ts";
import { errorResponse } from "./http-errors.ts";
import { invocationLogger, logger } from "./logger.ts";

export interface JsonEvent extends APIGatewayProxyEventV2 {
  /** The parsed JSON body (set by jsonBody()). */
  jsonBody?: unknown;
  /** This request's logger, with its request id and route (set by httpErrors()). */
  log?: Logger;
}

type HttpMiddleware = middy.MiddlewareObj<JsonEvent, APIGatewayProxyResultV2, Error, Context>;

/** Logs the request with its route and request id; maps any error to the documented error body. */
export function httpErrors(): HttpMiddleware {
  return {
    before: (request) => {
      request.event.log = invocationLogger(request.context, {
        requestId: request.event.requestContext?.requestId,
        route: request.event.routeKey,
      });
    },
    onError: (request) => {
      const error = request.error;
      const log = request.event.log ?? logger;
      if (error instanceof OmsError) {
        log.info("request refused", { code: error.code, message: error.message });
      } else {
        log.error("request failed", error as Error);
      }
      request.response = errorResponse(error, request.event.requestContext?.requestId);
    },
  };
}

/**
 * Requires a JSON body of at most maxBytes and parses it into event.jsonBody. With `optional`, a request
 * without a body passes (jsonBody stays undefined).
 */
export function jsonBody(maxBytes: number, options: { optional?: boolean } = {}): HttpMiddleware {
  return {
    before: (request) => {
      const event = request.event;
      if (options.optional && !event.body) return;
      const contentType = (event.headers?.["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (contentType !== "application/json" && !contentType.endsWith("+json")) {
        throw new RequestError(
          "UNSUPPORTED_MEDIA_TYPE",
          `Content-Type must be application/json, got '${contentType || "(none)"}'`,
          "header.Content-Type",
        );
      }
      const raw = event.isBase64Encoded
        ? Buffer.from(event.body ?? "", "base64").toString("utf8")
        : (event.body ?? "");
      const size = Buffer.byteLength(raw, "utf8");
      if (size > maxBytes) {
        throw new RequestError("PAYLOAD_TOO_LARGE", `body is ${size} bytes; the limit is ${maxBytes}`);
      }
      try {
        event.jsonBody = JSON.parse(raw);
      } catch (error) {
        throw new RequestError("MALFORMED_JSON", `body is not valid JSON: ${(error as Error).message}`);
      }
    },
  };
}

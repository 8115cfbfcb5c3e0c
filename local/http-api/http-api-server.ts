// The local API Gateway HTTP API: the declared routes, each invoking its function with a payload v2.0
// event, and the function's result mapped back to HTTP exactly as API Gateway does (a structured result,
// or any other value as a 200 JSON body). Unmatched routes get API Gateway's 404 {"message":"Not Found"}.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { RouteDeclaration } from "../../app/app-declaration.ts";
import type { LambdaInvoker } from "../functions/lambda-invoker.ts";
import { LOCAL_ACCOUNT } from "../functions/lambda-invoker.ts";

/** API Gateway's own payload limit; the handlers enforce their smaller ones with 413. */
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

interface CompiledRoute {
  route: RouteDeclaration;
  pattern: RegExp;
  names: string[];
}

function compile(route: RouteDeclaration): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(param[1]);
      return "([^/]+)";
    })
    .join("/");
  return { route, pattern: new RegExp(`^${source}$`), names };
}

const TEXT_TYPES = /^(application\/(json|[\w.+-]*\+json|xml|x-www-form-urlencoded)|text\/)/i;

export function createHttpApiServer(options: { routes: RouteDeclaration[]; invoker: LambdaInvoker }): Server {
  const compiled = options.routes.map(compile);
  return createServer((req, res) => {
    handle(req, res, compiled, options.invoker).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "Internal Server Error" }));
      }
      console.error("http api:", error);
    });
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  routes: CompiledRoute[],
  invoker: LambdaInvoker,
) {
  const url = new URL(req.url ?? "/", "http://localhost");
  const method = req.method ?? "GET";
  let match: { route: RouteDeclaration; params: Record<string, string> } | undefined;
  for (const candidate of routes) {
    if (candidate.route.method !== method) continue;
    const m = candidate.pattern.exec(url.pathname);
    if (m) {
      const params = Object.fromEntries(
        candidate.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]),
      );
      match = { route: candidate.route, params };
      break;
    }
  }
  const body = await readBody(req, API_GATEWAY_MAX_BODY);
  if (body === undefined) {
    send(res, {
      statusCode: 413,
      headers: { "content-type": "application/json" },
      body: '{"message":"Request Entity Too Large"}',
    });
    return;
  }
  if (!match) {
    send(res, {
      statusCode: 404,
      headers: { "content-type": "application/json" },
      body: '{"message":"Not Found"}',
    });
    return;
  }
  const event = toEvent(req, url, match.route, match.params, body);
  let result: unknown;
  try {
    result = await invoker.invoke(match.route.functionId, event);
  } catch (error) {
    // A function error (crash, timeout) is what API Gateway answers with 500 Internal Server Error.
    console.error(`http api: ${match.route.functionId} failed:`, (error as Error).message);
    send(res, {
      statusCode: 500,
      headers: { "content-type": "application/json" },
      body: '{"message":"Internal Server Error"}',
    });
    return;
  }
  send(res, toResponse(result));
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: RouteDeclaration,
  params: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === "cookie") {
      cookies.push(...String(value).split(/;\s*/));
      continue;
    }
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const contentType = headers["content-type"] ?? "";
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length > 0 ? { pathParameters: params } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: (headers.host ?? "localhost").split(".")[0] ?? "localhost",
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: !isText,
  };
}

/** API Gateway's payload-v2 response rules: a structured object, or anything else as JSON 200. */
function toResponse(result: unknown): APIGatewayProxyStructuredResultV2 {
  if (result && typeof result === "object" && "statusCode" in result)
    return result as APIGatewayProxyStructuredResultV2;
  const body = typeof result === "string" ? result : JSON.stringify(result);
  return { statusCode: 200, headers: { "content-type": "application/json" }, body };
}

function send(res: ServerResponse, response: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name] = String(value);
  if (response.cookies?.length) headers["set-cookie"] = response.cookies;
  const body =
    response.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(response.body, response.isBase64Encoded ? "base64" : "utf8");
  headers["content-length"] = String(body.length);
  res.writeHead(response.statusCode ?? 200, headers);
  res.end(body);
}

/** The body, or undefined when it exceeds the limit (the rest is drained, not buffered). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

// One loopback endpoint for every local AWS service (like LocalStack's edge port): requests are routed by
// the X-Amz-Target prefix. DynamoDB and DynamoDB Streams requests are proxied byte-for-byte to Amazon
// DynamoDB Local; the other services are answered in process. Nothing service-specific is in the host or
// path, so the SDK's trailing "/" and any path are ignored.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { type AwsJsonService, AwsServiceError } from "./aws-json-service.ts";

export interface EdgeServerOptions {
  services: AwsJsonService[];
  /** e.g. http://127.0.0.1:8000: where DynamoDB_20120810 and DynamoDBStreams_20120810 calls go. */
  dynamodbEndpoint?: string;
  maxBodyBytes?: number;
  /** Sees every request's target and body (benchmarks count DynamoDB and EventBridge calls with it). */
  observer?: (target: string, body: string) => void;
  /**
   * Local-only operator endpoints under /_local/ (no AWS API has them: on AWS, dead letters sit in SQS).
   * Keyed by "METHOD /_local/path"; the handler gets the query parameters and answers JSON.
   */
  localAdmin?: Record<string, (query: URLSearchParams) => Promise<unknown>>;
}

const PROXIED_PREFIXES = ["DynamoDB_20120810", "DynamoDBStreams_20120810"];

export function createEdgeServer(options: EdgeServerOptions): Server {
  const byPrefix = new Map(options.services.map((s) => [s.targetPrefix, s]));
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/_local/")) {
      const admin = options.localAdmin?.[`${req.method} ${url.pathname}`];
      if (!admin) {
        send(res, 404, "1.1", { message: `no local endpoint ${req.method} ${url.pathname}` });
        return;
      }
      admin(url.searchParams)
        .then((result) => send(res, 200, "1.1", result))
        .catch((error: unknown) => send(res, 500, "1.1", { message: (error as Error).message }));
      return;
    }
    const target = String(req.headers["x-amz-target"] ?? "");
    const [prefix = "", operation = ""] = target.split(".");
    if (options.dynamodbEndpoint && PROXIED_PREFIXES.includes(prefix)) {
      const observer = options.observer;
      if (!observer) {
        proxy(req, res, options.dynamodbEndpoint, req);
        return;
      }
      readBody(req, maxBody)
        .then((raw) => {
          observer(target, raw);
          proxy(req, res, options.dynamodbEndpoint ?? "", raw);
        })
        .catch(() =>
          send(res, 413, "1.0", { __type: "ValidationException", message: "Request body too large" }),
        );
      return;
    }
    const service = byPrefix.get(prefix);
    if (req.method !== "POST" || !service || !operation) {
      const body = { __type: "UnknownOperationException", message: `No local service answers '${target}'` };
      send(res, 400, "1.1", body);
      return;
    }
    readBody(req, maxBody)
      .then(async (raw) => {
        options.observer?.(target, raw);
        let input: unknown;
        try {
          input = raw.length === 0 ? {} : JSON.parse(raw);
        } catch {
          throw new AwsServiceError("SerializationException", "Request body is not valid JSON");
        }
        if (typeof input !== "object" || input === null || Array.isArray(input)) {
          throw new AwsServiceError("SerializationException", "Request body must be a JSON object");
        }
        const output = await service.handle(operation, input as Record<string, unknown>);
        send(res, 200, service.jsonVersion, output ?? {});
      })
      .catch((error: unknown) => {
        if (error instanceof AwsServiceError) {
          send(
            res,
            error.statusCode,
            service.jsonVersion,
            { __type: error.type, message: error.message },
            error.type,
          );
        } else {
          const message = error instanceof Error ? error.message : String(error);
          send(res, 500, service.jsonVersion, { __type: "InternalFailure", message }, "InternalFailure");
        }
      });
  });
}

function send(res: ServerResponse, status: number, version: string, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    "content-type": `application/x-amz-json-${version}`,
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": crypto.randomUUID(),
  };
  if (errorType) headers["x-amzn-errortype"] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new AwsServiceError("ValidationException", `Request body exceeds ${maxBytes} bytes`, 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Forwards a request to DynamoDB Local; `body` is the request stream itself or its buffered text. */
function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: string,
  body: IncomingMessage | string,
): void {
  const url = new URL(endpoint);
  const upstream = httpRequest(
    {
      hostname: url.hostname,
      port: url.port,
      method: req.method,
      path: "/",
      headers: { ...req.headers, host: url.host },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on("error", (error) => {
    if (!res.headersSent) {
      send(res, 503, "1.0", {
        __type: "ServiceUnavailable",
        message: `DynamoDB Local unreachable: ${error.message}`,
      });
    } else {
      res.destroy(error);
    }
  });
  if (typeof body === "string") upstream.end(body);
  else body.pipe(upstream);
}

export async function listen(server: Server, port: number, host = "127.0.0.1"): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === "object" && address ? address.port : port;
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

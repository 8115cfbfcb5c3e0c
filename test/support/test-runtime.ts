// Boots the local runtime for integration tests: the DynamoDB Local of the global setup, a table of its
// own, free ports, short retry intervals. Plus small HTTP helpers that speak to the runtime's API.
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { type Runtime, type RuntimeOptions, startRuntime } from "../../local/runtime.ts";

export async function startTestRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
  // Tests change channel configuration between requests; production serves it from memory for 10 s.
  process.env.CONFIG_CACHE_SECONDS ??= "0";
  // Tests pause, rotate and delete subscriptions between events.
  process.env.SUBSCRIPTION_CACHE_SECONDS ??= "0";
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  return startRuntime({
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    tableName: `oms-test-${randomUUID().slice(0, 8)}`,
    httpPort: 0,
    awsPort: 0,
    seedDemo: true,
    // The demo's simulated location systems poll all the time; tests answer for locations themselves.
    simulateLocations: false,
    retryIntervalScale: 0.01,
    eventRetryBaseDelayMs: 10,
    streamPollIntervalMs: 20,
    quiet: true,
    ...options,
  });
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export function httpClient(baseUrl: string) {
  const call = async (
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<HttpResult> => {
    // A well-behaved client: a 503 (the service was busy: on a loaded test machine a handler can run out of
    // time) is repeated after its Retry-After, a few times. Every write the API does is idempotent or
    // conditional, so a repeat cannot double anything; a persistent 503 still reaches the test.
    let res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    for (let attempt = 1; res.status === 503 && attempt < 4; attempt++) {
      await res.text();
      await new Promise((r) => setTimeout(r, Number(res.headers.get("retry-after") ?? "1") * 1000));
      res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    }
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  return {
    get: (path: string) => call("GET", path),
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      call("POST", path, typeof body === "string" ? body : JSON.stringify(body), {
        "content-type": "application/json",
        ...headers,
      }),
    raw: call,
    /** Polls GET /orders/{id} until the order has `status` (or the time is up). */
    async waitForStatus(
      orderId: string,
      status: string,
      timeoutMs = 15_000,
    ): Promise<Record<string, unknown>> {
      const deadline = Date.now() + timeoutMs;
      let last: HttpResult | undefined;
      while (Date.now() < deadline) {
        last = await call("GET", `/orders/${orderId}`);
        if (last.body.status === status) return last.body;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(
        `order ${orderId} did not reach ${status}; last seen ${JSON.stringify(last?.body.status)}`,
      );
    },
  };
}

let counter = 0;
/** The README sample with a fresh channel order number. */
export function uniqueOrder(base: Record<string, unknown>): Record<string, unknown> {
  counter += 1;
  return { ...base, channelOrderRef: `T-${Date.now().toString(36)}-${counter}-${randomUUID().slice(0, 6)}` };
}

// One webhook POST over HTTP(S) with a timeout and no redirects (a redirect is a failed delivery: the
// signature covers one URL's receiver, and following it would let a receiver point deliveries elsewhere).
import type { WebhookSender } from "../../usecases/ports.ts";

export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly timeoutMs: number) {}

  async post(
    url: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number } | { error: string }> {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    } catch (error) {
      if (error instanceof Error && error.name === "TimeoutError")
        return { error: `no answer within ${this.timeoutMs} ms` };
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      return { error: `request failed${cause}` };
    }
  }
}

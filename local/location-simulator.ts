// Simulated location systems for the demo (`npm start`): the demo's polling locations (the Munich store's
// till system, the Hamburg drop-shipper's portal) fetch their open parts through the HTTP API like a real
// system would (GET /locations/{locationId}/submissions?status=OPEN) and accept them
// (POST .../answer), so orders routed there reach SUBMITTED without a human. Only the locations named are
// simulated; every other location answers for itself. OMS_SIMULATE_LOCATIONS=false turns it off.

export interface LocationSimulatorOptions {
  httpUrl: string;
  locationIds: readonly string[];
  intervalMs?: number;
  onError?: (message: string) => void;
}

interface OpenPart {
  orderId: string;
  answer: { path: string };
}

/** Starts polling; returns stop(). One poll at a time; a failed poll is reported and retried next time. */
export function startLocationSimulator(options: LocationSimulatorOptions): () => Promise<void> {
  const interval = options.intervalMs ?? 500;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const poll = async () => {
    for (const locationId of options.locationIds) {
      // OPEN parts, and OVERDUE ones (escalated after the due time, still waiting for the answer).
      for (const status of ["OPEN", "OVERDUE"]) {
        const url = `${options.httpUrl}/locations/${locationId}/submissions?status=${status}&limit=100`;
        const res = await fetch(url);
        if (res.status === 404) continue;
        if (!res.ok) throw new Error(`GET ${status} submissions of ${locationId}: HTTP ${res.status}`);
        const page = (await res.json()) as { items: OpenPart[] };
        for (const part of page.items) {
          if (stopped) return;
          const answer = await fetch(`${options.httpUrl}${part.answer.path}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ decision: "ACCEPT", actor: `simulated-${locationId}` }),
          });
          // 409: answered meanwhile (by an operator, or a repeat): nothing to do. Others: reported, and
          // the next part is answered all the same (the failed one is tried again next time).
          if (!answer.ok && answer.status !== 409)
            options.onError?.(`answer for order ${part.orderId} at ${locationId}: HTTP ${answer.status}`);
        }
      }
    }
  };
  const timer = setInterval(() => {
    running = running
      .then(() => (stopped ? undefined : poll()))
      .catch((error: unknown) => options.onError?.((error as Error).message));
  }, interval);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}

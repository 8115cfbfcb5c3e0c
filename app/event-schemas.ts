// The event catalogue as JSON Schema (one document per type and version, named like the bus's
// detail-type), generated from the zod schemas in domain/events. Published under docs/events/.
import { z } from "zod";
import { orderEventSchemas } from "../domain/events/order-events.ts";

export function eventJsonSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const schema of orderEventSchemas) {
    const type = schema.shape.type.value;
    const version = schema.shape.version.value;
    const name = `${type}.v${version}`;
    out[name] = {
      $id: `https://open-oms.dev/events/${name}.json`,
      title: name,
      description: `detail of the EventBridge event with source "oms.orders" and detail-type "${name}"`,
      ...z.toJSONSchema(schema, { io: "output" }),
    };
  }
  return out;
}

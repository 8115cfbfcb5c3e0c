// The event catalogue as JSON Schema (one document per type and version, named like the bus's
// detail-type), generated from the zod schemas in domain/events (order and inventory events). Published
// under docs/events/.
import { z } from "zod";
import { INVENTORY_EVENT_SOURCE, inventoryEventSchemas } from "../domain/events/inventory-events.ts";
import { EVENT_SOURCE, orderEventSchemas } from "../domain/events/order-events.ts";

type EventSchema = z.ZodType & { shape: { type: { value: string }; version: { value: number } } };

export function eventJsonSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const add = (source: string, schemas: readonly EventSchema[]) => {
    for (const schema of schemas) {
      const name = `${schema.shape.type.value}.v${schema.shape.version.value}`;
      out[name] = {
        $id: `https://open-oms.dev/events/${name}.json`,
        title: name,
        description: `detail of the EventBridge event with source "${source}" and detail-type "${name}"`,
        ...z.toJSONSchema(schema, { io: "output" }),
      };
    }
  };
  add(EVENT_SOURCE, orderEventSchemas);
  add(INVENTORY_EVENT_SOURCE, inventoryEventSchemas);
  return out;
}

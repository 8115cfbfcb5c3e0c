// The event catalogue as JSON Schema (one document per type and version, named like the bus's
// detail-type), generated from the zod schemas in domain/events (order and inventory events). Published
// under docs/events/.
import { z } from "zod";
import { INVENTORY_EVENT_SOURCE, inventoryEventSchemas } from "../domain/events/inventory-events.ts";
import { EVENT_SOURCE, orderEventSchemas } from "../domain/events/order-events.ts";

type EventSchema = z.ZodType & { shape: { type: { value: string }; version: { value: number } } };

export interface CatalogueEntry {
  detailType: string;
  source: string;
  schema: Record<string, unknown>;
}

/** Every event type and version the OMS emits, with the JSON Schema of its detail. */
export function eventCatalogue(): CatalogueEntry[] {
  const entries: CatalogueEntry[] = [];
  const add = (source: string, schemas: readonly EventSchema[]) => {
    for (const schema of schemas) {
      const name = `${schema.shape.type.value}.v${schema.shape.version.value}`;
      entries.push({
        detailType: name,
        source,
        schema: {
          $id: `https://open-oms.dev/events/${name}.json`,
          title: name,
          description: `detail of the EventBridge event with source "${source}" and detail-type "${name}"`,
          ...z.toJSONSchema(schema, { io: "output" }),
        },
      });
    }
  };
  add(EVENT_SOURCE, orderEventSchemas);
  add(INVENTORY_EVENT_SOURCE, inventoryEventSchemas);
  return entries;
}

/** The catalogue as files: detail-type -> JSON Schema (docs/events/<detail-type>.json). */
export function eventJsonSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(eventCatalogue().map((e) => [e.detailType, e.schema]));
}

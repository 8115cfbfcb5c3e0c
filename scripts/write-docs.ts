// npm run docs — writes docs/openapi.json from the route declarations and docs/events/*.json (one JSON
// Schema per order event type and version) from the event catalogue. test/unit/openapi.test.ts and
// test/unit/order-events.test.ts fail when the committed files are stale.
import { mkdirSync, writeFileSync } from "node:fs";
import { eventJsonSchemas } from "../app/event-schemas.ts";
import { openApiDocument } from "../app/openapi.ts";

writeFileSync("docs/openapi.json", `${JSON.stringify(openApiDocument(), null, 2)}\n`);
mkdirSync("docs/events", { recursive: true });
for (const [name, schema] of Object.entries(eventJsonSchemas())) {
  writeFileSync(`docs/events/${name}.json`, `${JSON.stringify(schema, null, 2)}\n`);
}
console.log("wrote docs/openapi.json and docs/events/*.json");

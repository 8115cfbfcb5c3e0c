// The OpenAPI document is generated from the same zod schemas the handlers validate with.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { routes } from "../../app/app-declaration.ts";
import { openApiDocument } from "../../app/openapi.ts";

describe("OpenAPI document", () => {
  const doc = openApiDocument() as {
    paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
  };

  it("has one operation per declared route", () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("documents the order body's constraints and the error answers", () => {
    const capture = doc.paths["/orders"]?.post;
    const schema = JSON.stringify(capture?.requestBody);
    expect(schema).toContain('"exclusiveMinimum":0');
    expect(schema).toContain('"required":["channelId","channelOrderRef"');
    expect(Object.keys(capture?.responses ?? {})).toEqual(
      expect.arrayContaining(["202", "400", "404", "409", "413", "415"]),
    );
  });

  it("is what docs/openapi.json holds (run npm run docs after changing a schema)", () => {
    const committed = JSON.parse(readFileSync("docs/openapi.json", "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });
});

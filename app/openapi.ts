// Generates the OpenAPI 3.1 document from the route declarations and their zod schemas, so the document
// can never drift from what the handlers validate. Served at GET /openapi.json; docs/openapi.json is
// the same document written by `npm run docs` (a test checks it is current).
import { z } from "zod";
import { type RouteDeclaration, routes } from "./app-declaration.ts";

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    reused: "inline",
  }) as JsonSchema;
  return rest;
}

function parameters(route: RouteDeclaration): JsonSchema[] {
  const result: JsonSchema[] = [];
  const add = (where: "path" | "query", schema: z.ZodType | undefined) => {
    if (!schema) return;
    const json = schemaOf(schema, "input");
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries(properties)) {
      result.push({ name, in: where, required: where === "path" || required.has(name), schema: property });
    }
  };
  add("path", route.request?.params);
  add("query", route.request?.query);
  for (const [name, header] of Object.entries(route.request?.headers ?? {})) {
    result.push({
      name,
      in: "header",
      required: header.required,
      description: header.description,
      schema: { type: "string", maxLength: 255 },
    });
  }
  return result;
}

export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      // On AWS the order routes require SigV4 (IAM); the local runtime does not check signatures.
      security: route.auth === "iam" ? [{ sigv4: [] }] : [],
    };
    const params = parameters(route);
    if (params.length > 0) operation.parameters = params;
    if (route.request?.body) {
      operation.requestBody = {
        required: true,
        content: { "application/json": { schema: schemaOf(route.request.body, "input") } },
      };
    }
    operation.responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, response]) => [
        status,
        response.schema
          ? {
              description: response.description,
              content: { "application/json": { schema: schemaOf(response.schema, "output") } },
            }
          : { description: response.description },
      ]),
    );
    const byMethod = paths[route.path] ?? {};
    byMethod[route.method.toLowerCase()] = operation;
    paths[route.path] = byMethod;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Open OMS API",
      version: "0.1.0",
      description:
        "Order capture and the order repository. Errors carry a machine-readable code and the offending field.",
    },
    servers: [{ url: "http://127.0.0.1:3000", description: "npm start (one machine)" }],
    paths,
    components: {
      securitySchemes: {
        sigv4: {
          type: "apiKey",
          name: "Authorization",
          in: "header",
          description:
            "AWS Signature Version 4 (service execute-api) with the sales channel's IAM credentials",
          "x-amazon-apigateway-authtype": "awsSigv4",
        },
      },
    },
  };
}

// The document functions' dependencies (a module of its own, so only their bundles carry the S3 client
// and pdf-lib): the S3 bucket when the home names one (AWS), else the local folder (npm start).
import { S3Client } from "@aws-sdk/client-s3";
import { LocalDocumentStore } from "../../adapters/documents/local-document-store.ts";
import { renderDocument } from "../../adapters/documents/pdf-renderer.ts";
import { S3DocumentStore } from "../../adapters/documents/s3-document-store.ts";
import { DocumentRepository } from "../../adapters/dynamodb/document-repository.ts";
import type { DocumentDeps } from "../../usecases/documents.ts";
import type { DocumentStore } from "../../usecases/ports.ts";
import { systemClock } from "../../usecases/system-ports.ts";
import { dynamodb } from "./aws-clients.ts";
import { inventoryRepository, orderRepository } from "./dependencies.ts";
import { environment } from "./environment.ts";

export function documentStore(): DocumentStore {
  const env = environment();
  if (env.DOCUMENT_BUCKET_NAME) return new S3DocumentStore(new S3Client({}), env.DOCUMENT_BUCKET_NAME);
  if (env.DOCUMENTS_DIR) return new LocalDocumentStore(env.DOCUMENTS_DIR);
  throw new Error("neither DOCUMENT_BUCKET_NAME nor DOCUMENTS_DIR is set: no document store");
}

export function documentDeps(): DocumentDeps {
  return {
    repo: orderRepository(),
    inventory: inventoryRepository(),
    documents: new DocumentRepository(dynamodb, environment().TABLE_NAME),
    store: documentStore(),
    render: renderDocument,
    clock: systemClock,
  };
}

// Workflow task "documents": makes the PDFs each assigned location needs (usecases/documents.ts).
// Errors keep their names, so the state machine's Retry/Catch can match them.
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { createOrderDocuments, type DocumentsStepResult } from "../../usecases/documents.ts";
import { documentDeps } from "../shared/document-dependencies.ts";
import { invocationLogger } from "../shared/logger.ts";
import { taskInputSchema } from "./step-handler.ts";

const deps = documentDeps();

export const handler = middy<unknown, DocumentsStepResult, Error, Context>().handler(
  async (event, context) => {
    const input = taskInputSchema.safeParse(event);
    if (!input.success) throw toValidationError(input.error);
    const log = invocationLogger(context, {
      orderId: input.data.orderId,
      executionArn: input.data.executionArn,
    });
    try {
      const result = await createOrderDocuments(deps, input.data.orderId);
      log.info(result.created > 0 ? "documents created" : "documents already there", { ...result });
      return result;
    } catch (error) {
      log.warn("documents failed", { error: (error as Error).name, message: (error as Error).message });
      throw error;
    }
  },
);

// Workflow task "validate": see usecases/order-steps.ts for what the step decides and writes.
import { stepHandler } from "./step-handler.ts";

export const handler = stepHandler("validate");

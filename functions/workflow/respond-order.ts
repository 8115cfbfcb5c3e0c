// Workflow task "respond": records the temporary order response (order.response to the channel); see
// usecases/order-response.ts.
import { stepHandler } from "./step-handler.ts";

export const handler = stepHandler("respond");

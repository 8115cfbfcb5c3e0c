// Structured JSON logs (Powertools). Handlers append orderId / executionArn so every line of an order's
// processing can be found by order id.
import { Logger } from "@aws-lambda-powertools/logger";

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "oms" });

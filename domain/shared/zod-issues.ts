// zod issues -> the OMS error family, with dotted field paths ("positions.0.quantity").
import type { z } from "zod";
import { ValidationError } from "./errors.ts";

export function toValidationError(error: z.ZodError, code = "VALIDATION_FAILED"): ValidationError {
  return new ValidationError(
    error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      code: issue.code.toUpperCase(),
      message: issue.message,
    })),
    code,
  );
}

// How local services call a "Lambda function": by name or ARN, with a JSON payload, as the Lambda Invoke
// API would. The runtime's implementation (function-runtime.ts) resolves names through the app
// declaration to the same handler modules that are deployed; tests may register plain functions.

export interface LambdaInvoker {
  /** Resolves with the handler's result; rejects with a LambdaInvocationError when the handler throws. */
  invoke(functionNameOrArn: string, payload: unknown): Promise<unknown>;
  /** True when a function of that name or ARN exists. */
  has(functionNameOrArn: string): boolean;
}

/** A handler threw: `errorType` is the thrown error's name (what Step Functions' ErrorEquals matches). */
export class LambdaInvocationError extends Error {
  override readonly name: string;
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
  ) {
    super(errorMessage);
    this.name = errorType;
  }
  /** The JSON that real Lambda puts in Step Functions' Cause. */
  get causeJson(): string {
    return JSON.stringify({ errorMessage: this.errorMessage, errorType: this.errorType, stackTrace: [] });
  }
}

/** Function name from a name, a full ARN, or an ARN with a qualifier. */
export function functionNameOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith("arn:")) return nameOrArn.split(":")[0] ?? nameOrArn;
  const parts = nameOrArn.split(":");
  return parts[6] ?? nameOrArn;
}

/** A simple in-memory invoker: name -> async function. */
export class MapLambdaInvoker implements LambdaInvoker {
  private readonly functions = new Map<string, (payload: unknown) => Promise<unknown>>();
  register(name: string, fn: (payload: unknown) => Promise<unknown> | unknown): this {
    this.functions.set(name, async (p) => fn(p));
    return this;
  }
  has(nameOrArn: string): boolean {
    return this.functions.has(functionNameOf(nameOrArn));
  }
  async invoke(nameOrArn: string, payload: unknown): Promise<unknown> {
    const fn = this.functions.get(functionNameOf(nameOrArn));
    if (!fn) throw new LambdaInvocationError("ResourceNotFoundException", `Function not found: ${nameOrArn}`);
    try {
      return await fn(structuredClone(payload));
    } catch (error) {
      if (error instanceof LambdaInvocationError) throw error;
      const e = error instanceof Error ? error : new Error(String(error));
      throw new LambdaInvocationError(e.name || "Error", e.message);
    }
  }
}

export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_REGION = "us-east-1";
export const lambdaArn = (name: string, region = LOCAL_REGION, account = LOCAL_ACCOUNT): string =>
  `arn:aws:lambda:${region}:${account}:function:${name}`;

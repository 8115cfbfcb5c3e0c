// Where the repository root is, so constructs can resolve the paths the app declaration gives
// (handler entries, ASL files) no matter which directory `cdk` or vitest was started from.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/** A path from the app declaration (relative to the repository root) as an absolute path. */
export function fromRepoRoot(relativePath: string): string {
  return resolve(repoRoot, relativePath);
}

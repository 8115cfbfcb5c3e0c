// Every ASL file under statemachines/ is a valid state machine (asl-validator: schema, unreachable
// states, missing targets, terminal states), and each state machine's `${Placeholder}`s and its declared
// substitutions are the same set, so neither side can drift from the other.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { stateMachines } from "../../app/app-declaration.ts";
import { fromRepoRoot } from "../../lib/paths.ts";
import { aslPlaceholders } from "../../lib/workflows/order-workflows.ts";

// asl-validator 4 is CommonJS without type declarations: this is the shape of its module.exports.
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const validateAsl = createRequire(import.meta.url)("asl-validator") as AslValidator;

const aslFiles = readdirSync(fromRepoRoot("statemachines"))
  .filter((name) => name.endsWith(".asl.json"))
  .map((name) => `statemachines/${name}`)
  .sort();

describe("ASL files", () => {
  it("finds the ASL files", () => {
    expect(aslFiles.length).toBeGreaterThan(0);
  });

  it.each(aslFiles)("%s is a valid state machine definition", (file) => {
    // A fresh parse per call: the validator annotates the object it is given.
    const result = validateAsl(JSON.parse(readFileSync(fromRepoRoot(file), "utf8")), {
      checkPaths: true,
      checkArn: true,
    });
    expect(result.errorsText("\n")).toBe("");
    expect(result.isValid).toBe(true);
  });

  it("the validator rejects a definition whose Next points nowhere", () => {
    const broken = {
      StartAt: "A",
      States: { A: { Type: "Pass", Next: "Missing" } },
    };
    expect(validateAsl(broken).isValid).toBe(false);
  });

  it("every declared state machine's ASL file is among them", () => {
    const declaredFiles = new Set(Object.values(stateMachines).map((machine) => machine.definitionFile));
    for (const file of declaredFiles) expect(aslFiles).toContain(file);
  });

  it.each(Object.entries(stateMachines))(
    "%s: the ASL placeholders are exactly the declared substitutions",
    (_id, machine) => {
      const asl = readFileSync(fromRepoRoot(machine.definitionFile), "utf8");
      expect([...aslPlaceholders(asl)].sort()).toEqual(Object.keys(machine.substitutions).sort());
    },
  );

  it("placeholder extraction finds dollar-brace keys, not JSONPath", () => {
    const placeholder = (key: string) => `\${${key}}`;
    const asl = JSON.stringify({ a: placeholder("One"), b: "$.two", c: placeholder("Three_3") });
    expect([...aslPlaceholders(asl)]).toEqual(["One", "Three_3"]);
  });
});

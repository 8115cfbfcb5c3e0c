// EventBridge event patterns: every operator of the user guide's "Content filtering", the array and $or
// semantics, and the patterns AWS rejects (InvalidEventPatternException with AWS's reason).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
} from "../../domain/events/event-pattern.ts";

const matches = (pattern: object | string, event: object): boolean =>
  matchesEventPattern(compileEventPattern(pattern), event);

/** The reason AWS would give for rejecting the pattern. */
function rejection(pattern: unknown): string {
  try {
    compileEventPattern(pattern as object);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    return (error as InvalidEventPatternError).reason;
  }
  throw new Error(`pattern was accepted: ${JSON.stringify(pattern)}`);
}

/** The user guide's sample EC2 event. */
const ec2 = {
  version: "0",
  id: "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "012345679012",
  time: "2017-10-02T16:24:49Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  detail: {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    state: "running",
  },
};

describe("exact values", () => {
  it("matches the user guide's simple pattern, fields ANDed and values ORed", () => {
    const pattern = {
      "detail-type": ["EC2 Instance State-change Notification"],
      resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
      detail: { state: ["initializing", "running"] },
    };
    expect(matches(pattern, ec2)).toBe(true);
    expect(matches({ ...pattern, source: ["aws.s3"] }, ec2)).toBe(false);
    expect(matches({ detail: { state: ["stopped", "terminated"] } }, ec2)).toBe(false);
  });

  it("is case-sensitive and needs the field to exist at the same nesting", () => {
    expect(matches({ source: ["AWS.EC2"] }, ec2)).toBe(false);
    expect(matches({ state: ["running"] }, ec2)).toBe(false);
    expect(matches({ detail: { missing: ["x"] } }, ec2)).toBe(false);
  });

  it('compares numbers numerically: 300 matches 300.0 and 3e2, not the string "300"', () => {
    expect(matches({ n: [300] }, { n: 300.0 })).toBe(true);
    expect(matches({ n: [3e2] }, { n: 300 })).toBe(true);
    expect(matches(`{"n": [300.0]}`, JSON.parse(`{"n": 3e2}`))).toBe(true);
    expect(matches({ n: [300] }, { n: "300" })).toBe(false);
    expect(matches({ n: ["300"] }, { n: 300 })).toBe(false);
    expect(matches({ n: [301] }, { n: 300 })).toBe(false);
  });

  it("compares numbers to six decimal places, and beyond +/-5e9 as plain values", () => {
    expect(matches({ n: [1.0000001] }, { n: 1 })).toBe(true);
    expect(matches({ n: [1.00001] }, { n: 1 })).toBe(false);
    expect(matches({ account: [123456789012] }, { account: 123456789012 })).toBe(true);
    expect(matches({ account: [123456789012] }, { account: 123456789013 })).toBe(false);
  });

  it("matches booleans, null and the empty string only by their own value", () => {
    expect(matches({ b: [true] }, { b: true })).toBe(true);
    expect(matches({ b: [true] }, { b: "true" })).toBe(false);
    expect(matches({ b: [false] }, { b: true })).toBe(false);
    expect(matches({ v: [null] }, { v: null })).toBe(true);
    expect(matches({ v: [null] }, { v: "" })).toBe(false);
    expect(matches({ v: [null] }, {})).toBe(false);
    expect(matches({ LastName: [""] }, { LastName: "" })).toBe(true);
    expect(matches({ LastName: [""] }, { LastName: null })).toBe(false);
  });

  it("does not treat an object as a leaf value", () => {
    expect(matches({ detail: ["x"] }, { detail: { a: "x" } })).toBe(false);
  });

  it("matches an IP address pattern in any notation of the same address", () => {
    expect(matches({ ip: ["::1"] }, { ip: "0:0:0:0:0:0:0:1" })).toBe(true);
    expect(matches({ ip: ["10.0.0.1"] }, { ip: "10.0.0.2" })).toBe(false);
  });
});

describe("arrays in events", () => {
  it("matches when the event array and the pattern values intersect (user guide example)", () => {
    const pattern = {
      resources: [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
      ],
    };
    const event = {
      resources: [
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
      ],
    };
    expect(matches(pattern, event)).toBe(true);
    expect(matches(pattern, { resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-other"] })).toBe(
      false,
    );
    expect(matches(pattern, { resources: [] })).toBe(false);
  });

  it("flattens nested arrays and applies every operator to each element", () => {
    expect(matches({ n: [3] }, { n: [[1, 2], [3]] })).toBe(true);
    expect(matches({ n: [{ numeric: [">", 10] }] }, { n: [1, 20] })).toBe(true);
    expect(matches({ n: [{ numeric: [">", 10] }] }, { n: [1, 2] })).toBe(false);
  });

  it("matches fields of objects in an array only within one element (array consistency)", () => {
    const event = {
      employees: [
        { firstName: "John", lastName: "Doe" },
        { firstName: "Anna", lastName: "Smith" },
        { firstName: "Peter", lastName: "Jones" },
      ],
    };
    expect(matches({ employees: { firstName: ["Anna"] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ["Anna"], lastName: ["Smith"] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ["Anna"], lastName: ["Jones"] } }, event)).toBe(false);
    expect(matches({ employees: { firstName: ["Anna"] } }, { employees: [[event.employees]] })).toBe(true);
  });
});

describe("prefix, suffix and equals-ignore-case", () => {
  it.each([
    [{ time: [{ prefix: "2017-10-02" }] }, { time: "2017-10-02T18:43:48Z" }, true],
    [{ time: [{ prefix: "2017-10-02" }] }, { time: "2017-10-03T18:43:48Z" }, false],
    [{ time: [{ prefix: "" }] }, { time: "anything" }, true],
    [{ n: [{ prefix: "1" }] }, { n: 123 }, false],
    [{ service: [{ prefix: { "equals-ignore-case": "EventB" } }] }, { service: "eventbridge" }, true],
    [{ service: [{ prefix: { "equals-ignore-case": "EventB" } }] }, { service: "EVENTBRIDGE" }, true],
    [{ service: [{ prefix: { "equals-ignore-case": "EventB" } }] }, { service: "Events" }, false],
    [{ FileName: [{ suffix: ".png" }] }, { FileName: "image.png" }, true],
    [{ FileName: [{ suffix: ".png" }] }, { FileName: "image.PNG" }, false],
    [{ FileName: [{ suffix: { "equals-ignore-case": ".png" } }] }, { FileName: "image.PNG" }, true],
    [{ FileName: [{ suffix: { "equals-ignore-case": ".png" } }] }, { FileName: "image.jpg" }, false],
    [{ Name: [{ "equals-ignore-case": "alice" }] }, { Name: "ALICE" }, true],
    [{ Name: [{ "equals-ignore-case": "alice" }] }, { Name: "Alicia" }, false],
    [{ Name: [{ "equals-ignore-case": "true" }] }, { Name: true }, false],
  ])("%j against %j -> %s", (pattern, event, expected) => {
    expect(matches(pattern, event)).toBe(expected);
  });
});

describe("anything-but", () => {
  it.each([
    [{ state: [{ "anything-but": "initializing" }] }, { state: "running" }, true],
    [{ state: [{ "anything-but": "initializing" }] }, { state: "initializing" }, false],
    [{ state: [{ "anything-but": "initializing" }] }, { state: 5 }, true],
    [{ state: [{ "anything-but": "initializing" }] }, { state: null }, true],
    [{ state: [{ "anything-but": "initializing" }] }, {}, false],
    [{ "x-limit": [{ "anything-but": 123 }] }, { "x-limit": 123.0 }, false],
    [{ "x-limit": [{ "anything-but": 123 }] }, { "x-limit": 124 }, true],
    [{ "x-limit": [{ "anything-but": 123 }] }, { "x-limit": "123" }, true],
    [{ state: [{ "anything-but": ["stopped", "overloaded"] }] }, { state: "stopped" }, false],
    [{ state: [{ "anything-but": ["stopped", "overloaded"] }] }, { state: "running" }, true],
    [{ "x-limit": [{ "anything-but": [100, 200, 300] }] }, { "x-limit": 300 }, false],
    [{ "x-limit": [{ "anything-but": [100, 200, 300] }] }, { "x-limit": 301.8 }, true],
    [{ price: [{ "anything-but": [100, 500] }] }, { price: [100, 50] }, true],
    [{ price: [{ "anything-but": [100, 500] }] }, { price: [100, 500] }, false],
    [{ state: [{ "anything-but": { prefix: "init" } }] }, { state: "initializing" }, false],
    [{ state: [{ "anything-but": { prefix: "init" } }] }, { state: "running" }, true],
    [{ FileName: [{ "anything-but": { suffix: ".png" } }] }, { FileName: "a.png" }, false],
    [{ FileName: [{ "anything-but": { suffix: ".png" } }] }, { FileName: "a.jpg" }, true],
    [
      { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] },
      { state: "INITIALIZING" },
      false,
    ],
    [{ state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] }, { state: "running" }, true],
    [
      { state: [{ "anything-but": { "equals-ignore-case": ["Stopped", "Overloaded"] } }] },
      { state: "STOPPED" },
      false,
    ],
    [
      { state: [{ "anything-but": { "equals-ignore-case": ["Stopped", "Overloaded"] } }] },
      { state: "run" },
      true,
    ],
    [{ FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] }, { FilePath: "/usr/lib/x.so" }, false],
    [{ FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] }, { FilePath: "/usr/bin/x" }, true],
    [
      { FilePath: [{ "anything-but": { wildcard: ["*/lib/*", "*/bin/*"] } }] },
      { FilePath: "/usr/bin/x" },
      false,
    ],
  ])("%j against %j -> %s", (pattern, event, expected) => {
    expect(matches(pattern, event)).toBe(expected);
  });
});

describe("numeric", () => {
  it("matches the user guide's ranges and equality (all fields must hold)", () => {
    const pattern = {
      detail: {
        "c-count": [{ numeric: [">", 0, "<=", 5] }],
        "d-count": [{ numeric: ["<", 10] }],
        "x-limit": [{ numeric: ["=", 3.018e2] }],
      },
    };
    expect(matches(pattern, ec2)).toBe(true);
    expect(matches(pattern, { detail: { ...ec2.detail, "c-count": 6 } })).toBe(false);
    expect(matches(pattern, { detail: { ...ec2.detail, "x-limit": 301.9 } })).toBe(false);
  });

  it.each([
    [[">", 0, "<=", 5], 0, false],
    [[">", 0, "<=", 5], 0.000001, true],
    [[">", 0, "<=", 5], 5, true],
    [[">=", 0, "<", 5], 0, true],
    [[">=", 0, "<", 5], 5, false],
    [[">=", -1.5], -1.5, true],
    [["<=", -1.5], -1.4, false],
    [["=", 100], 100.0, true],
    [[">", 0], "5", false],
    [[">", 0], true, false],
    [[">", 0], 6e9, false],
  ])("numeric %j against %j -> %s", (range, value, expected) => {
    expect(matches({ n: [{ numeric: range }] }, { n: value })).toBe(expected);
  });
});

describe("exists", () => {
  it("matches presence and absence of leaf fields (user guide examples)", () => {
    expect(matches({ detail: { "c-count": [{ exists: true }] } }, ec2)).toBe(true);
    expect(matches({ detail: { "c-count": [{ exists: false }] } }, ec2)).toBe(false);
    const withoutCount = { detail: { state: ["initializing", "running"] } };
    expect(matches({ detail: { "c-count": [{ exists: false }] } }, withoutCount)).toBe(true);
    // c-count is not a leaf here, so it "does not exist" for exists matching
    const nested = { detail: { state: "running", "c-count": { c1: 100 } } };
    expect(matches({ detail: { "c-count": [{ exists: false }] } }, nested)).toBe(true);
    expect(matches({ detail: { "c-count": [{ exists: true }] } }, nested)).toBe(false);
  });

  it("counts null as present and an empty array as absent", () => {
    expect(matches({ v: [{ exists: true }] }, { v: null })).toBe(true);
    expect(matches({ v: [{ exists: false }] }, { v: [] })).toBe(true);
    expect(matches({ v: [{ exists: true }] }, { v: [] })).toBe(false);
  });

  it("matches absence when the parent object itself is missing", () => {
    expect(matches({ detail: { "c-count": [{ exists: false }] } }, { source: "x" })).toBe(true);
    expect(matches({ detail: { "c-count": [{ exists: true }] } }, { source: "x" })).toBe(false);
  });

  it("tests absence across every element of an array of objects", () => {
    const event = { items: [{ sku: "a" }, { sku: "b", discount: 5 }] };
    expect(matches({ items: { discount: [{ exists: false }] } }, event)).toBe(false);
    expect(matches({ items: { coupon: [{ exists: false }] } }, event)).toBe(true);
    expect(matches({ items: { sku: ["a"], discount: [{ exists: true }] } }, event)).toBe(false);
    expect(matches({ items: { sku: ["b"], discount: [{ exists: true }] } }, event)).toBe(true);
  });

  it("combines with other values in the same field (OR)", () => {
    const pattern = { v: [{ exists: false }, "x"] };
    expect(matches(pattern, {})).toBe(true);
    expect(matches(pattern, { v: "x" })).toBe(true);
    expect(matches(pattern, { v: "y" })).toBe(false);
  });
});

describe("cidr", () => {
  it.each([
    ["10.0.0.0/24", "10.0.0.33", true],
    ["10.0.0.0/24", "10.0.0.0", true],
    ["10.0.0.0/24", "10.0.0.255", true],
    ["10.0.0.0/24", "10.0.1.0", false],
    ["10.0.0.0/8", "10.255.1.2", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["10.0.0.0/24", "not an ip", false],
    ["2001:db8::/32", "2001:db8::1", true],
    ["2001:db8::/32", "2001:0db8:ffff:0000:0000:0000:0000:0001", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["2001:db8::/32", "10.0.0.1", false],
    ["10.0.0.0/24", "::ffff:a00:1", true],
  ])("cidr %s against %s -> %s", (cidr, ip, expected) => {
    expect(matches({ detail: { sourceIPAddress: [{ cidr }] } }, { detail: { sourceIPAddress: ip } })).toBe(
      expected,
    );
  });
});

describe("wildcard", () => {
  it.each([
    ["dir/*.png", "dir/a.png", true],
    ["dir/*.png", "dir/sub/a.png", true],
    ["dir/*.png", "other/a.png", false],
    ["*Title*", "The Title Page", true],
    ["*Title*", "Title", true],
    ["*Title*", "title", false],
    ["Simple*Service", "SimpleNotificationService", true],
    ["exact", "exact", true],
    ["exact", "exactly", false],
    ["a*", "a\nb", true],
    ["a.c", "abc", false],
    ["price: \\*", "price: *", true],
    ["price: \\*", "price: 5", false],
    ["back\\\\slash", "back\\slash", true],
  ])("wildcard %j against %j -> %s", (wildcard, value, expected) => {
    expect(matches({ f: [{ wildcard }] }, { f: value })).toBe(expected);
  });

  it("matches only strings", () => {
    expect(matches({ f: [{ wildcard: "1*" }] }, { f: 123 })).toBe(false);
  });
});

describe("$or", () => {
  const metrics = (fields: object) => ({ source: "aws.cloudwatch", ...fields });

  it("ORs sub-patterns at the top level, ANDed with sibling fields", () => {
    const pattern = {
      source: ["aws.cloudwatch"],
      $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }],
    };
    expect(matches(pattern, metrics({ metricName: "ReadLatency" }))).toBe(true);
    expect(matches(pattern, metrics({ namespace: "AWS/ES" }))).toBe(true);
    expect(matches(pattern, metrics({ namespace: "AWS/S3" }))).toBe(false);
    expect(matches(pattern, { source: "aws.s3", namespace: "AWS/EC2" })).toBe(false);
  });

  it("works in nested objects and in parallel", () => {
    const pattern = {
      $or: [{ metricName: ["CPUUtilization"] }, { namespace: ["AWS/EC2"] }],
      detail: { $or: [{ source: ["aws.cloudwatch"] }, { "detail-type": ["CloudWatch Alarm State Change"] }] },
    };
    expect(
      matches(pattern, { namespace: "AWS/EC2", detail: { "detail-type": "CloudWatch Alarm State Change" } }),
    ).toBe(true);
    expect(matches(pattern, { namespace: "AWS/EC2", detail: { source: "other" } })).toBe(false);
  });

  it("nests $or inside an $or branch (And inside Or inside Or)", () => {
    const pattern = {
      source: ["aws.cloudwatch"],
      $or: [
        { metricName: ["CPUUtilization", "ReadLatency"] },
        {
          metricType: ["MetricType"],
          namespace: ["AWS/EC2", "AWS/ES"],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ["Service"] },
      ],
    };
    expect(matches(pattern, metrics({ metricType: "MetricType", namespace: "AWS/EC2", spaceId: 1000 }))).toBe(
      true,
    );
    expect(matches(pattern, metrics({ metricType: "MetricType", namespace: "AWS/EC2", spaceId: 1 }))).toBe(
      false,
    );
    expect(matches(pattern, metrics({ metricType: "MetricType", spaceId: 1000 }))).toBe(false);
    expect(matches(pattern, metrics({ scope: "Service" }))).toBe(true);
  });

  it("keeps array consistency within each alternative", () => {
    const pattern = {
      orders: { status: ["open"], $or: [{ total: [{ numeric: [">", 100] }] }, { vip: [true] }] },
    };
    expect(
      matches(pattern, {
        orders: [
          { status: "open", total: 50 },
          { status: "closed", total: 500 },
        ],
      }),
    ).toBe(false);
    expect(
      matches(pattern, {
        orders: [
          { status: "closed", total: 50 },
          { status: "open", vip: true },
        ],
      }),
    ).toBe(true);
  });
});

describe("invalid patterns", () => {
  it("throws InvalidEventPatternException with AWS's message shape", () => {
    try {
      compileEventPattern({ source: "aws.ec2" });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        name: "InvalidEventPatternException",
        message: 'Event pattern is not valid. Reason: "source" must be an object or an array',
      });
    }
  });

  it.each<[string, unknown, string | RegExp]>([
    ["not JSON", "{", /JSON/],
    ["an array", "[1]", "Filter is not an object"],
    ["null", "null", "Filter is not an object"],
    ["an empty object", {}, "Empty objects are not allowed"],
    ["an empty nested object", { detail: {} }, "Empty objects are not allowed"],
    ["a bare string value", { source: "aws.ec2" }, '"source" must be an object or an array'],
    ["a bare number value", { detail: { n: 5 } }, '"n" must be an object or an array'],
    ["an empty value array", { source: [] }, "Empty arrays are not allowed"],
    ["a nested array value", { source: [["a"]] }, "Match value must be String, number, true, false, or null"],
    ["an empty match expression", { source: [{}] }, "Match expression name not found"],
    ["an unknown operator", { source: [{ regex: "a.*" }] }, "Unrecognized match type regex"],
    [
      "two operators in one expression",
      { s: [{ prefix: "a", suffix: "b" }] },
      "Only one key allowed in match expression",
    ],
    ["prefix with a number", { s: [{ prefix: 5 }] }, "prefix match pattern must be a string"],
    ["prefix with an unknown modifier", { s: [{ prefix: { foo: "a" } }] }, "Unsupported prefix pattern: foo"],
    [
      "prefix ignore-case with a number",
      { s: [{ prefix: { "equals-ignore-case": 1 } }] },
      /must be a string/,
    ],
    ["suffix with a number", { s: [{ suffix: 5 }] }, "suffix match pattern must be a string"],
    ["suffix with an unknown modifier", { s: [{ suffix: { bar: "a" } }] }, "Unsupported suffix pattern: bar"],
    ["equals-ignore-case with a number", { s: [{ "equals-ignore-case": 1 }] }, /must be a string/],
    ["wildcard with a number", { s: [{ wildcard: 1 }] }, "wildcard match pattern must be a string"],
    ["consecutive wildcards", { s: [{ wildcard: "a**b" }] }, "Consecutive wildcard characters at pos 2"],
    ["a bad wildcard escape", { s: [{ wildcard: "a\\b" }] }, "Invalid escape character at pos 2"],
    [
      "anything-but with a boolean",
      { s: [{ "anything-but": true }] },
      /must be an array or single string\/number/,
    ],
    ["anything-but with mixed types", { s: [{ "anything-but": [1, "a"] }] }, /mixed type is not supported/],
    ["anything-but with an empty list", { s: [{ "anything-but": [] }] }, /mixed type is not supported/],
    [
      "anything-but with null in a list",
      { s: [{ "anything-but": [null] }] },
      /start\|null\|boolean is not supported/,
    ],
    [
      "anything-but prefix empty",
      { s: [{ "anything-but": { prefix: "" } }] },
      "Null prefix/suffix not allowed",
    ],
    [
      "anything-but prefix number",
      { s: [{ "anything-but": { prefix: 1 } }] },
      /prefix\/suffix match pattern/,
    ],
    [
      "anything-but prefix list",
      { s: [{ "anything-but": { prefix: ["a", "b"] } }] },
      /prefix\/suffix match pattern/,
    ],
    [
      "anything-but unknown",
      { s: [{ "anything-but": { numeric: [">", 1] } }] },
      /Unsupported anything-but pattern/,
    ],
    ["anything-but empty object", { s: [{ "anything-but": {} }] }, "Anything-But expression name not found"],
    [
      "anything-but ignore-case number",
      { s: [{ "anything-but": { "equals-ignore-case": 1 } }] },
      /not supported/,
    ],
    ["anything-but bad wildcard", { s: [{ "anything-but": { wildcard: "**" } }] }, /Consecutive wildcard/],
    ["numeric with a number", { n: [{ numeric: 5 }] }, "Value of numeric must be an array."],
    ["numeric empty", { n: [{ numeric: [] }] }, "Invalid member in numeric match: ]"],
    ["numeric without operator", { n: [{ numeric: [5] }] }, "Invalid member in numeric match: 5"],
    ["numeric unknown operator", { n: [{ numeric: ["~", 5] }] }, "Unrecognized numeric range operator: ~"],
    ["numeric with a string operand", { n: [{ numeric: [">", "5"] }] }, "Value of > must be numeric"],
    ["numeric equals with a string", { n: [{ numeric: ["=", "5"] }] }, "Value of equals must be numeric"],
    ["numeric equals with two values", { n: [{ numeric: ["=", 1, 2] }] }, /Too many elements/],
    ["numeric upper bound first", { n: [{ numeric: ["<", 10, ">", 0] }] }, /Too many elements/],
    ["numeric bad second operator", { n: [{ numeric: [">", 0, ">", 5] }] }, "Bad numeric range operator: >"],
    ["numeric bad second member", { n: [{ numeric: [">", 0, 5] }] }, "Bad value in numeric range: 5"],
    ["numeric missing upper value", { n: [{ numeric: [">", 0, "<"] }] }, "Value of < must be numeric"],
    ["numeric five terms", { n: [{ numeric: [">", 0, "<", 5, 6] }] }, /Too many terms/],
    ["numeric empty range", { n: [{ numeric: [">", 5, "<", 5] }] }, "Bottom must be less than top"],
    ["numeric inverted range", { n: [{ numeric: [">=", 6, "<=", 5] }] }, "Bottom must be less than top"],
    ["numeric out of range", { n: [{ numeric: [">", 6e9] }] }, /between -5.0E9 and 5.0E9/],
    [
      "exists with a string",
      { n: [{ exists: "yes" }] },
      "exists match pattern must be either true or false.",
    ],
    ["cidr with a number", { ip: [{ cidr: 10 }] }, /must be a string/],
    ["cidr without mask", { ip: [{ cidr: "10.0.0.0" }] }, "Malformed CIDR, one '/' required"],
    [
      "cidr with a text mask",
      { ip: [{ cidr: "10.0.0.0/x" }] },
      "Malformed CIDR, mask bits must be an integer",
    ],
    [
      "cidr negative mask",
      { ip: [{ cidr: "10.0.0.0/-1" }] },
      "Malformed CIDR, mask bits must not be negative",
    ],
    ["cidr IPv4 /32", { ip: [{ cidr: "10.0.0.1/32" }] }, "IPv4 mask bits must be < 32"],
    ["cidr IPv6 /128", { ip: [{ cidr: "::1/128" }] }, "IPv6 mask bits must be < 128"],
    ["cidr bad IPv4", { ip: [{ cidr: "300.0.0.0/8" }] }, "Invalid IP address: 300.0.0.0"],
    ["cidr host name", { ip: [{ cidr: "example.com/8" }] }, "Nonstandard IP address: example.com"],
    ["$or not an array", { $or: { a: ["x"] } }, "It must be an Array followed with $or."],
    [
      "$or with one branch",
      { $or: [{ a: ["x"] }] },
      "There must have at least 2 Objects in $or relationship.",
    ],
    [
      "$or with a non-object",
      { $or: [{ a: ["x"] }, "b"] },
      "Only JSON object is allowed in array of $or relationship.",
    ],
    [
      "$or using a reserved name",
      { $or: [{ a: ["x"] }, { numeric: [1] }] },
      /numeric is Ruler reserved fieldName/,
    ],
    [
      "$or nested reserved name",
      { $or: [{ a: ["x"] }, { b: { prefix: ["y"] } }] },
      /prefix is Ruler reserved/,
    ],
  ])("rejects %s", (_, pattern, reason) => {
    if (typeof reason === "string") expect(rejection(pattern)).toBe(reason);
    else expect(rejection(pattern)).toMatch(reason);
  });

  it("accepts a reserved word as a field name outside $or", () => {
    expect(matches({ detail: { numeric: [1] } }, { detail: { numeric: 1 } })).toBe(true);
  });
});

describe("properties", () => {
  type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
  const scalar = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -1e12, max: 1e12 }),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e10, max: 1e10 }),
    fc.boolean(),
    fc.constant(null),
  );
  const key = fc.stringMatching(/^[a-z-]{1,6}$/);
  const { event } = fc.letrec<{ value: Json; object: Record<string, Json>; event: Record<string, Json> }>(
    (tie) => ({
      value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        scalar,
        fc.array(tie("value"), { maxLength: 3 }),
        tie("object"),
      ),
      object: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
      event: fc.dictionary(key, tie("value"), { minKeys: 1, maxKeys: 5 }),
    }),
  );

  /** A pattern asking for the event's own values: leaves as [value], arrays by their scalars or an element. */
  function patternOf(value: Json): Json | undefined {
    if (Array.isArray(value)) {
      const flat: Json[] = [];
      const collect = (items: Json[]): void => {
        for (const item of items) {
          if (Array.isArray(item)) collect(item);
          else flat.push(item);
        }
      };
      collect(value);
      const scalars = flat.filter((v) => v === null || typeof v !== "object");
      if (scalars.length > 0) return scalars;
      const first = flat.find((v) => v !== null && typeof v === "object");
      return first === undefined ? undefined : patternOf(first);
    }
    if (value !== null && typeof value === "object") {
      const entries = Object.entries(value)
        .map(([k, v]) => [k, patternOf(v)] as const)
        .filter((entry): entry is readonly [string, Json] => entry[1] !== undefined);
      return entries.length > 0 ? Object.fromEntries(entries) : undefined;
    }
    return [value];
  }

  it("a pattern built from an event's own values matches that event", () => {
    fc.assert(
      fc.property(event, (e) => {
        const pattern = patternOf(e);
        fc.pre(pattern !== undefined);
        expect(matches(pattern as object, e)).toBe(true);
      }),
    );
  });

  it("anything-but a list of strings is the complement of the exact list, for present strings", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), fc.string(), (values, value) => {
        const exact = matches({ f: values }, { f: value });
        expect(matches({ f: [{ "anything-but": values }] }, { f: value })).toBe(!exact);
      }),
    );
  });

  it("a numeric range holds exactly for the numbers between its bounds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: -2e6, max: 2e6 }),
        (low, width, x) => {
          const high = low + width;
          expect(matches({ n: [{ numeric: [">=", low, "<", high] }] }, { n: x })).toBe(x >= low && x < high);
        },
      ),
    );
  });

  it("wildcard head*tail matches exactly the strings with that head and tail", () => {
    const plain = fc.string({ maxLength: 5 }).filter((s) => !s.includes("*") && !s.includes("\\"));
    fc.assert(
      fc.property(plain, plain, fc.string({ maxLength: 8 }), (head, tail, value) => {
        const expected =
          value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
        expect(matches({ f: [{ wildcard: `${head}*${tail}` }] }, { f: value })).toBe(expected);
      }),
    );
  });
});

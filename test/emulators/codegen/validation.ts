/**
 * Request validation the way FastAPI and pydantic v2 report it: every problem
 * is collected into `detail[]` with its `loc`, `msg` and `type`, and answered
 * 422. Integers are validated in pydantic's lax mode ("7" and 7.0 are 7).
 */
import { validationError } from "./errors";
import type { ValidationIssue } from "./types";

type Loc = Array<string | number>;

export class Issues {
  readonly list: ValidationIssue[] = [];

  add(loc: Loc, type: string, msg: string): undefined {
    this.list.push({ loc, msg, type });
    return undefined;
  }

  /** Throws the collected problems as one 422. */
  check(): void {
    if (this.list.length > 0) throw validationError(this.list);
  }
}

export function integer(value: unknown, loc: Loc, issues: Issues): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) {
    if (Number.isInteger(value)) return value;
    return issues.add(loc, "int_from_float", "Input should be a valid integer, got a number with a fractional part");
  }
  if (typeof value === "string") {
    if (/^\s*[-+]?\d+\s*$/.test(value)) return Number(value);
    return issues.add(loc, "int_parsing", "Input should be a valid integer, unable to parse string as an integer");
  }
  return issues.add(loc, "int_type", "Input should be a valid integer");
}

export function string(value: unknown, loc: Loc, issues: Issues, options: { minLength?: number } = {}): string | undefined {
  if (typeof value !== "string") return issues.add(loc, "string_type", "Input should be a valid string");
  if (options.minLength && value.length < options.minLength) {
    return issues.add(loc, "string_too_short", `String should have at least ${options.minLength} character${options.minLength === 1 ? "" : "s"}`);
  }
  return value;
}

export function dict(value: unknown, loc: Loc, issues: Issues): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return issues.add(loc, "dict_type", "Input should be a valid dictionary");
  return value as Record<string, unknown>;
}

export function stringList(value: unknown, loc: Loc, issues: Issues): string[] | undefined {
  if (!Array.isArray(value)) return issues.add(loc, "list_type", "Input should be a valid list");
  const before = issues.list.length;
  value.forEach((item, i) => string(item, [...loc, i], issues));
  return issues.list.length === before ? (value as string[]) : undefined;
}

export function literal<T extends string>(value: unknown, allowed: readonly T[], loc: Loc, issues: Issues, type = "literal_error"): T | undefined {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  const quoted = allowed.map((a) => `'${a}'`);
  const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}` : quoted[0];
  return issues.add(loc, type, `Input should be ${list}`);
}

export function boolean(value: string, loc: Loc, issues: Issues): boolean | undefined {
  const v = value.toLowerCase();
  if (["true", "1", "yes", "on", "t", "y"].includes(v)) return true;
  if (["false", "0", "no", "off", "f", "n"].includes(v)) return false;
  return issues.add(loc, "bool_parsing", "Input should be a valid boolean, unable to interpret input");
}

/** An integer query parameter with a default and bounds (`ge`, `le`). */
export function queryInt(url: URL, name: string, issues: Issues, options: { fallback: number; ge?: number; le?: number }): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return options.fallback;
  const value = integer(raw, ["query", name], issues);
  if (value === undefined) return options.fallback;
  if (options.ge !== undefined && value < options.ge) {
    issues.add(["query", name], "greater_than_equal", `Input should be greater than or equal to ${options.ge}`);
    return options.fallback;
  }
  if (options.le !== undefined && value > options.le) {
    issues.add(["query", name], "less_than_equal", `Input should be less than or equal to ${options.le}`);
    return options.fallback;
  }
  return value;
}

/**
 * The JSON body of a POST. FastAPI answers an empty body as a missing one,
 * bad JSON as `json_invalid`, and anything but an object as `model_attributes_type`.
 */
export function parseBody(text: string): Record<string, unknown> {
  const issues = new Issues();
  if (!text.trim()) {
    issues.add(["body"], "missing", "Field required");
    issues.check();
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
    issues.add(["body", position ? Number(position) : 0], "json_invalid", "JSON decode error");
    issues.check();
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.add(["body"], "model_attributes_type", "Input should be a valid dictionary or object to extract fields from");
    issues.check();
  }
  return value as Record<string, unknown>;
}

/** Reads an optional body field: absent and `null` are both "not given". */
export function optional<T>(body: Record<string, unknown>, key: string, read: (value: unknown, loc: Loc) => T | undefined): T | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  return read(value, ["body", key]);
}

/** Reads a required body field. */
export function required<T>(body: Record<string, unknown>, key: string, issues: Issues, read: (value: unknown, loc: Loc) => T | undefined): T | undefined {
  if (!(key in body)) return issues.add(["body", key], "missing", "Field required");
  return read(body[key], ["body", key]);
}

import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../src/crypto/hash";

describe("sha256Hex", () => {
  it("matches the FIPS 180-2 vectors", async () => {
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("hashes the UTF-8 encoding", async () => {
    expect(await sha256Hex("héllo ✓")).toBe(createHash("sha256").update("héllo ✓", "utf8").digest("hex"));
  });

  it("property: 64 lowercase hex digits, agreeing with Node", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (value) => {
        const hex = await sha256Hex(value);
        expect(hex).toMatch(/^[0-9a-f]{64}$/);
        expect(hex).toBe(createHash("sha256").update(value, "utf8").digest("hex"));
      }),
      { numRuns: 200 },
    );
  });
});

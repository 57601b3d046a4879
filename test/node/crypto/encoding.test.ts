import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64, bytesToBase64Url, bytesToHex, randomToken, timingSafeEqual } from "../../../src/crypto/encoding";

describe("base64", () => {
  it("encodes known vectors (RFC 4648)", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "Zg=="],
      ["fo", "Zm8="],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="],
      ["fooba", "Zm9vYmE="],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) {
      expect(bytesToBase64(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(base64ToBytes(encoded))).toBe(plain);
    }
  });

  it("handles every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Buffer.from(bytesToBase64(all), "base64")).toEqual(Buffer.from(all));
    expect(base64ToBytes(bytesToBase64(all))).toEqual(all);
  });

  it("property: roundtrips any bytes and agrees with Node's Buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const encoded = bytesToBase64(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString("base64"));
        expect(base64ToBytes(encoded)).toEqual(bytes);
      }),
    );
  });

  it("base64ToBytes throws on text that is not base64", () => {
    expect(() => base64ToBytes("not base64!")).toThrow();
  });
});

describe("bytesToBase64Url", () => {
  it("property: URL-safe, unpadded, and equal to Node's base64url", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const encoded = bytesToBase64Url(bytes);
        expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(encoded).toBe(Buffer.from(bytes).toString("base64url"));
      }),
    );
  });

  it("replaces + and / (bytes 0xfb 0xff encode to +/8 in base64)", () => {
    expect(bytesToBase64(Uint8Array.of(0xfb, 0xff))).toBe("+/8=");
    expect(bytesToBase64Url(Uint8Array.of(0xfb, 0xff))).toBe("-_8");
  });
});

describe("bytesToHex", () => {
  it("pads each byte to two lowercase digits", () => {
    expect(bytesToHex(Uint8Array.of(0, 1, 15, 16, 171, 255))).toBe("00010f10abff");
    expect(bytesToHex(new Uint8Array())).toBe("");
  });

  it("property: agrees with Node's Buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(bytesToHex(bytes)).toBe(Buffer.from(bytes).toString("hex"));
      }),
    );
  });
});

describe("randomToken", () => {
  it("carries the requested entropy as base64url", () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(Buffer.from(randomToken(16), "base64url")).toHaveLength(16);
  });

  it("differs every time", () => {
    const tokens = new Set(Array.from({ length: 100 }, () => randomToken()));
    expect(tokens.size).toBe(100);
  });
});

describe("timingSafeEqual", () => {
  it.each([
    ["", "", true],
    ["abc", "abc", true],
    ["é✓🙂", "é✓🙂", true],
    ["abc", "abd", false],
    ["abc", "ab", false],
    ["ab", "abc", false],
    ["", "a", false],
    ["a", "", false],
    ["abc", "ABC", false],
    ["abc\u0000", "abc", false], // a trailing NUL must not compare equal to the shorter string
    ["é", "e\u0301", false], // different UTF-8 bytes
  ])("timingSafeEqual(%j, %j) is %s", (a, b, expected) => {
    expect(timingSafeEqual(a, b)).toBe(expected);
    expect(timingSafeEqual(b, a)).toBe(expected);
  });

  it("property: equals ===", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(timingSafeEqual(a, b)).toBe(a === b);
        expect(timingSafeEqual(a, a)).toBe(true);
      }),
    );
  });
});

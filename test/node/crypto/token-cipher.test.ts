import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToBase64 } from "../../../src/crypto/encoding";
import { EncryptionKeyError, TokenCipher } from "../../../src/crypto/token-cipher";

// The key the workers test project uses: base64 of "0123456789abcdef0123456789abcdef" (32 bytes).
const KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const OTHER_KEY = bytesToBase64(new Uint8Array(32).fill(7));
const TOKEN = "lin_oauth_8f3c2a1b9d7e6f5a4b3c2d1e0f9a8b7c";

describe("TokenCipher roundtrip", () => {
  it("decrypts what it encrypts", async () => {
    const cipher = new TokenCipher(KEY);
    expect(await cipher.decrypt(await cipher.encrypt(TOKEN))).toBe(TOKEN);
  });

  it("another instance with the same key decrypts it", async () => {
    const sealed = await new TokenCipher(KEY).encrypt(TOKEN);
    expect(await new TokenCipher(KEY).decrypt(sealed)).toBe(TOKEN);
  });

  it("tolerates whitespace around the key (as pasted into a secret)", async () => {
    const sealed = await new TokenCipher(`  ${KEY}\n`).encrypt(TOKEN);
    expect(await new TokenCipher(KEY).decrypt(sealed)).toBe(TOKEN);
  });

  it("property: any string, including empty and non-ASCII", async () => {
    const cipher = new TokenCipher(KEY);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 200 }), async (plaintext) => {
        expect(await cipher.decrypt(await cipher.encrypt(plaintext))).toBe(plaintext);
      }),
      { numRuns: 200 },
    );
  });

  it("reads v1.<iv>.<ciphertext> with a 12-byte IV and a 16-byte tag", async () => {
    const sealed = await new TokenCipher(KEY).encrypt(TOKEN);
    const [version, iv, ciphertext, ...rest] = sealed.split(".");
    expect(version).toBe("v1");
    expect(rest).toEqual([]);
    expect(Buffer.from(iv ?? "", "base64")).toHaveLength(12);
    expect(Buffer.from(ciphertext ?? "", "base64")).toHaveLength(new TextEncoder().encode(TOKEN).length + 16);
  });
});

describe("TokenCipher ciphertexts", () => {
  it("differ each time for the same plaintext (fresh IV)", async () => {
    const cipher = new TokenCipher(KEY);
    const sealed = await Promise.all(Array.from({ length: 20 }, () => cipher.encrypt(TOKEN)));
    expect(new Set(sealed).size).toBe(20);
    expect(new Set(sealed.map((s) => s.split(".")[1])).size).toBe(20);
  });

  it("do not contain the plaintext, plainly or in base64", async () => {
    const sealed = await new TokenCipher(KEY).encrypt(TOKEN);
    expect(sealed).not.toContain(TOKEN);
    expect(sealed).not.toContain("lin_oauth");
    expect(sealed).not.toContain(Buffer.from(TOKEN).toString("base64").slice(0, 16));
    expect(Buffer.from(sealed.split(".")[2] ?? "", "base64").toString("latin1")).not.toContain("lin_oauth");
  });

  it("a tampered ciphertext fails to decrypt", async () => {
    const cipher = new TokenCipher(KEY);
    const [version, iv, ciphertext] = (await cipher.encrypt(TOKEN)).split(".") as [string, string, string];
    const bytes = Buffer.from(ciphertext, "base64");
    bytes[0] = (bytes[0] ?? 0) ^ 0x01;
    await expect(cipher.decrypt(`${version}.${iv}.${bytes.toString("base64")}`)).rejects.toThrow();
  });

  it("a tampered tag or IV fails to decrypt", async () => {
    const cipher = new TokenCipher(KEY);
    const [version, iv, ciphertext] = (await cipher.encrypt(TOKEN)).split(".") as [string, string, string];
    const bytes = Buffer.from(ciphertext, "base64");
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x80;
    await expect(cipher.decrypt(`${version}.${iv}.${bytes.toString("base64")}`)).rejects.toThrow();
    const ivBytes = Buffer.from(iv, "base64");
    ivBytes[0] = (ivBytes[0] ?? 0) ^ 0x01;
    await expect(cipher.decrypt(`${version}.${ivBytes.toString("base64")}.${ciphertext}`)).rejects.toThrow();
  });

  it("a truncated ciphertext fails to decrypt", async () => {
    const cipher = new TokenCipher(KEY);
    const [version, iv, ciphertext] = (await cipher.encrypt(TOKEN)).split(".") as [string, string, string];
    const short = Buffer.from(ciphertext, "base64").subarray(0, 10).toString("base64");
    await expect(cipher.decrypt(`${version}.${iv}.${short}`)).rejects.toThrow();
  });

  it("another key cannot decrypt it", async () => {
    const sealed = await new TokenCipher(KEY).encrypt(TOKEN);
    await expect(new TokenCipher(OTHER_KEY).decrypt(sealed)).rejects.toThrow();
  });

  it.each(["", TOKEN, "v2.AAAA.BBBB", "v1..BBBB", "v1.AAAA.", "v1.AAAA"])("an unrecognised format %j is refused", async (sealed) => {
    await expect(new TokenCipher(KEY).decrypt(sealed)).rejects.toThrow("unrecognised ciphertext format");
  });
});

describe("TokenCipher with a bad key", () => {
  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["16 bytes", bytesToBase64(new Uint8Array(16))],
    ["31 bytes", bytesToBase64(new Uint8Array(31))],
    ["33 bytes", bytesToBase64(new Uint8Array(33))],
    ["64 bytes", bytesToBase64(new Uint8Array(64))],
    ["not base64", "this is not base64!!"],
    ["a hex key", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"],
    ["the raw 32 characters", "0123456789abcdef0123456789abcdef"],
  ])("%s: construction does not throw, but use gives EncryptionKeyError", async (_name, key) => {
    let cipher: TokenCipher | undefined;
    expect(() => {
      cipher = new TokenCipher(key);
    }).not.toThrow();
    if (!cipher) throw new Error("unreachable");
    await expect(cipher.encrypt(TOKEN)).rejects.toBeInstanceOf(EncryptionKeyError);
    await expect(cipher.decrypt("v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA==")).rejects.toBeInstanceOf(EncryptionKeyError);
  });

  it("the error says how to make a good key", async () => {
    const error = await new TokenCipher("short").encrypt(TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EncryptionKeyError);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("EncryptionKeyError");
    expect((error as Error).message).toContain("32");
    expect((error as Error).message).toContain("openssl rand -base64 32");
  });
});

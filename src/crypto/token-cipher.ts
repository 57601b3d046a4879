/**
 * Encrypts secrets at rest (Linear and Codegen tokens) with AES-GCM under
 * ENCRYPTION_KEY. A ciphertext reads `v1.<iv>.<ciphertext>`, both base64, so the
 * format can change later without guessing what an old value is.
 */
import { base64ToBytes, bytesToBase64 } from "./encoding";

const VERSION = "v1";

export class EncryptionKeyError extends Error {
  constructor() {
    super("ENCRYPTION_KEY must be the base64 encoding of exactly 32 random bytes (openssl rand -base64 32)");
    this.name = "EncryptionKeyError";
  }
}

export class TokenCipher {
  readonly #key: Promise<CryptoKey>;

  constructor(base64Key: string | undefined) {
    this.#key = importKey(base64Key);
    // Surface a bad key at first use, not as an unhandled rejection now.
    this.#key.catch(() => undefined);
  }

  async encrypt(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await this.#key, new TextEncoder().encode(plaintext));
    return `${VERSION}.${bytesToBase64(iv)}.${bytesToBase64(new Uint8Array(ciphertext))}`;
  }

  async decrypt(sealed: string): Promise<string> {
    const [version, iv, ciphertext] = sealed.split(".");
    if (version !== VERSION || !iv || !ciphertext) throw new Error("unrecognised ciphertext format");
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: base64ToBytes(iv) },
      await this.#key,
      base64ToBytes(ciphertext),
    );
    return new TextDecoder().decode(plaintext);
  }
}

async function importKey(base64Key: string | undefined): Promise<CryptoKey> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = base64ToBytes((base64Key ?? "").trim());
  } catch {
    throw new EncryptionKeyError();
  }
  if (raw.length !== 32) throw new EncryptionKeyError();
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

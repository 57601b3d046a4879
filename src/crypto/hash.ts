import { bytesToHex } from "./encoding";

/**
 * SHA-256 of a secret, hex. Agent tokens and API keys are 256-bit random values,
 * so a fast hash is enough: there is no password to brute-force.
 */
export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return bytesToHex(new Uint8Array(digest));
}

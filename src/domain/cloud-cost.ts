/**
 * What a cloud run cost. Codegen reports no cost, so it comes from the price
 * model (per run plus per minute) and is always marked as an estimate.
 */
export function cloudRunCost(input: { pricePerRunUsd: number; pricePerMinuteUsd: number; durationMs: number }): number {
  const minutes = Math.max(0, input.durationMs) / 60_000;
  return Math.round((input.pricePerRunUsd + input.pricePerMinuteUsd * minutes) * 10_000) / 10_000;
}

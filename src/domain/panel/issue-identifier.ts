/**
 * A Linear issue identifier as people type it: the team key, a dash, the
 * issue's number (ENG-123). Team keys are short runs of letters and digits
 * (Linear upper-cases them), so anything else is refused before Linear is asked.
 */
const IDENTIFIER = /^([A-Za-z0-9]{1,10})-([1-9][0-9]{0,8})$/;

export type ParsedIdentifier = { ok: true; identifier: string } | { ok: false; error: string };

export function parseIssueIdentifier(raw: string): ParsedIdentifier {
  const match = IDENTIFIER.exec(raw.trim());
  if (!match) return { ok: false, error: `"${raw.slice(0, 40)}" is not a Linear issue identifier: expected the team key, a dash and the number, like ENG-123` };
  return { ok: true, identifier: `${match[1]!.toUpperCase()}-${match[2]}` };
}

/**
 * A planning task's answer as data. Locally it is the Agent SDK's
 * `structured_output`; a Codegen run can only answer in text, so its result is
 * read for the JSON it was asked to end with (the whole text, a fenced json
 * block, or the outermost braces). Anything else is no answer (null), which
 * the plan's validation reports as not matching the schema.
 */
export function plannerAnswerFromText(text: string | null): unknown {
  if (!text) return null;
  const candidates = [text.trim()];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // not this one
    }
  }
  return null;
}

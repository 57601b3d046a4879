import { describe, expect, it } from "vitest";
import { ExternalLink } from "../../../workers/panel/components/format";

const render = (href: string) => String(ExternalLink({ href, children: "the pull request" }));

describe("ExternalLink", () => {
  it.each(["https://github.com/acme/web/pull/1", "http://git.internal/acme/web/pull/2"])("links %s", (href) => {
    expect(render(href)).toBe(`<a href="${href}" rel="noopener noreferrer" target="_blank">the pull request</a>`);
  });

  it.each(["javascript:alert(1)", "data:text/html,<b>x</b>", "not a url", "//evil.test/x"])("never makes %s a link", (href) => {
    const html = render(href);
    expect(html).not.toContain("<a");
    expect(html).toContain("the pull request");
  });
});

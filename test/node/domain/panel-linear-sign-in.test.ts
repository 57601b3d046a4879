import { describe, expect, it } from "vitest";
import { decideLinearSignIn, viewerName, type LinearViewer } from "../../../src/domain/panel/linear-sign-in";

const INSTALL = "https://edge.example/oauth/linear/authorize";
const installed = [
  { id: "org-acme", name: "Acme" },
  { id: "org-globex", name: "Globex" },
];

function viewer(fields: Partial<LinearViewer> = {}): LinearViewer {
  return { id: "user-1", name: "Bob", email: "bob@acme.test", admin: false, organization: { id: "org-acme", name: "Acme" }, ...fields };
}

describe("decideLinearSignIn", () => {
  it.each([
    ["a member", false],
    ["a Linear admin", true],
  ])("lets %s of an installed workspace in, with Linear's admin flag", (_who, admin) => {
    expect(decideLinearSignIn(viewer({ admin }), installed, INSTALL)).toEqual({
      ok: true,
      session: { kind: "linear", linearUserId: "user-1", name: "Bob", email: "bob@acme.test", organizationId: "org-acme", linearAdmin: admin },
    });
  });

  it.each([
    ["names the workspace when Linear does", { id: "org-initech", name: "Initech" }, "Your Linear workspace “Initech” has not installed Cyrus Edge"],
    ["still reads well without a name", { id: "org-initech", name: null }, "Your Linear workspace has not installed Cyrus Edge"],
  ])("refuses a workspace that has not installed the app: %s", (_case, organization, start) => {
    const decision = decideLinearSignIn(viewer({ organization, admin: true }), installed, INSTALL);
    expect(decision).toMatchObject({ ok: false, status: 403, reason: "not_installed" });
    if (decision.ok) throw new Error("expected a refusal");
    expect(decision.message.startsWith(start)).toBe(true);
    expect(decision.message).toContain(INSTALL);
  });

  it("refuses everyone when nothing is installed", () => {
    expect(decideLinearSignIn(viewer(), [], INSTALL).ok).toBe(false);
  });

  it("keeps an empty email out of the session", () => {
    const decision = decideLinearSignIn(viewer({ email: " " }), installed, INSTALL);
    expect(decision.ok && decision.session.email).toBeNull();
  });
});

describe("viewerName", () => {
  it.each([
    [{ name: "Bob", email: "bob@x.test" }, "Bob"],
    [{ name: "  ", email: "bob@x.test" }, "bob@x.test"],
    [{ name: null, email: null }, "Linear user"],
    [{}, "Linear user"],
  ])("%o → %s", (fields, expected) => {
    expect(viewerName(fields)).toBe(expected);
  });
});

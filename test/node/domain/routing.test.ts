import { describe, expect, it } from "vitest";
import { noRepositoryMessage, routeIssue, type RoutableIssue, type RoutableRepository } from "../../../src/domain/routing";

function repo(name: string, rules: Partial<Omit<RoutableRepository, "name">> = {}): RoutableRepository {
  return {
    id: `id-${name}`,
    name,
    baseBranch: "main",
    labels: [],
    projectKeys: [],
    teamKeys: [],
    isCatchAll: false,
    ...rules,
  };
}

const frontend = repo("frontend", { labels: ["ui", "Design System"], teamKeys: ["WEB"] });
const backend = repo("backend", { labels: ["api"], projectKeys: ["Payments", "payments-3f2a1c"], teamKeys: ["ENG"] });
const infra = repo("infra", { projectKeys: ["platform-9b8e7d"], teamKeys: ["OPS"] });
const monorepo = repo("monorepo", { isCatchAll: true });
const ALL = [frontend, backend, infra, monorepo];

function issue(overrides: Partial<RoutableIssue> = {}): RoutableIssue {
  return { description: null, labels: [], project: null, teamKey: null, ...overrides };
}

describe("routeIssue: which rule wins", () => {
  const cases: {
    name: string;
    issue: RoutableIssue;
    repositories?: RoutableRepository[];
    expected: { repository: string; rule: string } | null;
  }[] = [
    {
      name: "description tag beats label, project, team and catch-all",
      issue: issue({ description: "Please fix.\n[repo=infra]", labels: ["ui"], project: { name: "Payments" }, teamKey: "ENG" }),
      expected: { repository: "infra", rule: "description-tag" },
    },
    {
      name: "label beats project and team",
      issue: issue({ labels: ["ui"], project: { name: "Payments" }, teamKey: "ENG" }),
      expected: { repository: "frontend", rule: "label" },
    },
    {
      name: "project (by name) beats team",
      issue: issue({ project: { name: "Payments", slugId: "zzz" }, teamKey: "WEB" }),
      expected: { repository: "backend", rule: "project" },
    },
    {
      name: "project matched by its slug id",
      issue: issue({ project: { name: "Platform work", slugId: "platform-9b8e7d" }, teamKey: "WEB" }),
      expected: { repository: "infra", rule: "project" },
    },
    {
      name: "team key beats catch-all",
      issue: issue({ teamKey: "OPS" }),
      expected: { repository: "infra", rule: "team" },
    },
    {
      name: "catch-all when nothing else matches",
      issue: issue({ labels: ["unknown-label"], project: { name: "Nope", slugId: "nope-1" }, teamKey: "XYZ" }),
      expected: { repository: "monorepo", rule: "catch-all" },
    },
    {
      name: "an unmatched label falls through to a later label that matches",
      issue: issue({ labels: ["bug", "api"] }),
      expected: { repository: "backend", rule: "label" },
    },
    {
      name: "an unmatched project falls through to the team",
      issue: issue({ project: { name: "Roadmap" }, teamKey: "WEB" }),
      expected: { repository: "frontend", rule: "team" },
    },
    {
      name: "tag compare is case-insensitive",
      issue: issue({ description: "[REPO=BackEnd]" }),
      expected: { repository: "backend", rule: "description-tag" },
    },
    {
      name: "label compare is case-insensitive",
      issue: issue({ labels: ["design system"] }),
      expected: { repository: "frontend", rule: "label" },
    },
    {
      name: "project compare is case-insensitive",
      issue: issue({ project: { name: "PAYMENTS" } }),
      expected: { repository: "backend", rule: "project" },
    },
    {
      name: "slug compare is case-insensitive",
      issue: issue({ project: { name: "x", slugId: "PLATFORM-9B8E7D" } }),
      expected: { repository: "infra", rule: "project" },
    },
    {
      name: "team compare is case-insensitive",
      issue: issue({ teamKey: "eng" }),
      expected: { repository: "backend", rule: "team" },
    },
    {
      name: "no match and no catch-all",
      issue: issue({ labels: ["bug"], teamKey: "XYZ" }),
      repositories: [frontend, backend, infra],
      expected: null,
    },
    {
      name: "no repositories at all",
      issue: issue({ teamKey: "ENG", labels: ["api"] }),
      repositories: [],
      expected: null,
    },
    {
      name: "a description without a tag is ignored",
      issue: issue({ description: "repo=infra, but not as a tag", teamKey: "WEB" }),
      expected: { repository: "frontend", rule: "team" },
    },
  ];

  it.each(cases)("$name", ({ issue: input, repositories, expected }) => {
    const decision = routeIssue(input, repositories ?? ALL);
    if (expected === null) {
      expect(decision).toEqual({ matched: false, reason: "no routing rule matches this issue" });
      return;
    }
    expect(decision.matched).toBe(true);
    if (!decision.matched) return;
    expect(decision.repository.name).toBe(expected.repository);
    expect(decision.rule).toBe(expected.rule);
    expect(decision.reason.length).toBeGreaterThan(0);
  });

  it("returns the very repository object passed in (not a copy)", () => {
    const decision = routeIssue(issue({ teamKey: "ENG" }), ALL);
    expect(decision.matched && decision.repository).toBe(backend);
  });

  it("the first repository in list order wins when two share a rule", () => {
    const a = repo("a", { teamKeys: ["ENG"] });
    const b = repo("b", { teamKeys: ["ENG"] });
    const decision = routeIssue(issue({ teamKey: "ENG" }), [a, b]);
    expect(decision.matched && decision.repository.name).toBe("a");
  });

  it("the issue's label order decides between two labels that match different repositories", () => {
    const decision = routeIssue(issue({ labels: ["api", "ui"] }), ALL);
    expect(decision.matched && decision.repository.name).toBe("backend");
    const reversed = routeIssue(issue({ labels: ["ui", "api"] }), ALL);
    expect(reversed.matched && reversed.repository.name).toBe("frontend");
  });

  it("explains each rule in its reason", () => {
    const tag = routeIssue(issue({ description: "[repo=infra]" }), ALL);
    expect(tag.reason).toBe("the description names [repo=infra]");
    const label = routeIssue(issue({ labels: ["api"] }), ALL);
    expect(label.reason).toBe('the issue has the label "api"');
    const project = routeIssue(issue({ project: { name: "Payments" } }), ALL);
    expect(project.reason).toBe('the issue is in the project "Payments"');
    const team = routeIssue(issue({ teamKey: "OPS" }), ALL);
    expect(team.reason).toBe("the issue belongs to team OPS");
    const catchAll = routeIssue(issue(), ALL);
    expect(catchAll.reason).toBe("it is the catch-all repository");
  });

  it("a project slug match reports the project's name", () => {
    const decision = routeIssue(issue({ project: { name: "Platform work", slugId: "platform-9b8e7d" } }), ALL);
    expect(decision.reason).toBe('the issue is in the project "Platform work"');
  });

  it("a project with a null slug matches on its name only", () => {
    const decision = routeIssue(issue({ project: { name: "payments-3f2a1c", slugId: null } }), ALL);
    expect(decision.matched && decision.repository.name).toBe("backend");
    const none = routeIssue(issue({ project: { name: "Other", slugId: null } }), [backend]);
    expect(none.matched).toBe(false);
  });
});

describe("routeIssue: a tag naming an unknown repository", () => {
  it("is unmatched, with a reason naming the tag, even though a catch-all and other rules exist", () => {
    const decision = routeIssue(issue({ description: "do it in [repo=mobile] please", labels: ["api"], teamKey: "ENG" }), ALL);
    expect(decision).toEqual({
      matched: false,
      reason: 'the description names [repo=mobile], but no repository is called "mobile"',
    });
  });

  it("only the first tag counts", () => {
    const decision = routeIssue(issue({ description: "[repo=backend] or maybe [repo=frontend]" }), ALL);
    expect(decision.matched && decision.repository.name).toBe("backend");
  });

  it("a tag must not contain whitespace", () => {
    const decision = routeIssue(issue({ description: "[repo=back end]", teamKey: "WEB" }), ALL);
    expect(decision.matched && decision.rule).toBe("team");
  });

  it("a repository name is matched whole, not by prefix", () => {
    const decision = routeIssue(issue({ description: "[repo=back]" }), ALL);
    expect(decision.matched).toBe(false);
  });
});

describe("noRepositoryMessage", () => {
  it("lists every repository with its rules", () => {
    const message = noRepositoryMessage("no routing rule matches this issue", [frontend, backend, infra, monorepo, repo("bare")]);
    expect(message).toContain("I can't tell which repository to work in: no routing rule matches this issue.");
    expect(message).toContain("- `frontend` (teams WEB; labels ui, Design System)");
    expect(message).toContain("- `backend` (teams ENG; labels api; projects Payments, payments-3f2a1c)");
    expect(message).toContain("- `infra` (teams OPS; projects platform-9b8e7d)");
    expect(message).toContain("- `monorepo` (catch-all)");
    expect(message).toMatch(/^- `bare`$/m);
    expect(message).toContain("[repo=<name>]");
    // one bullet per repository
    expect(message.split("\n").filter((line) => line.startsWith("- "))).toHaveLength(5);
  });

  it("lists repositories in the order given", () => {
    const message = noRepositoryMessage("x", [infra, frontend]);
    expect(message.indexOf("`infra`")).toBeLessThan(message.indexOf("`frontend`"));
  });

  it("says how to add a repository when none exist", () => {
    const message = noRepositoryMessage("no routing rule matches this issue", []);
    expect(message).toContain("no routing rule matches this issue");
    expect(message).toContain("no repositories are configured yet");
    expect(message).toContain("POST /api/repositories");
    expect(message).not.toContain("Configured repositories");
  });

  it("carries the routing decision's reason verbatim", () => {
    const decision = routeIssue(issue({ description: "[repo=mobile]" }), ALL);
    expect(decision.matched).toBe(false);
    expect(noRepositoryMessage(decision.reason, ALL)).toContain('no repository is called "mobile"');
  });
});

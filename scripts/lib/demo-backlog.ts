/**
 * The issues `npm run demo` delegates, and the backlog `npm run demo -- --keep`
 * leaves in (emulated) Linear for someone to start from the panel. The
 * backlog has no `[executor=…]` tag: the workspace's strategy (hybrid-smart)
 * decides from labels, estimates and text, and the panel shows why (here: the
 * small bug and the investigation locally; the 8-point feature, high
 * complexity, and the dependency upgrade, which needs a sandbox, in the cloud).
 */
import type { CreateIssueInput } from "../../test/emulators/linear/control-client";
import type { Expectation } from "./demo-outcome";

export interface DemoIssue {
  /** How the demo refers to it before Linear gives it an identifier. */
  role: string;
  issue: CreateIssueInput;
  expect: Expectation;
}

export const LOCAL_ISSUE: DemoIssue = {
  role: "local",
  issue: {
    title: "Show the order number in the confirmation email",
    description: "Customers write in asking for their order number; the confirmation email only shows the date.\n\n- Put the order number in the subject and the first line.\n\n[executor=local]",
    labels: ["Feature"],
    estimate: 1,
  },
  expect: { executor: "local", pullRequest: false },
};

export const CLOUD_ISSUE: DemoIssue = {
  role: "cloud",
  issue: {
    title: "Fix checkout button contrast",
    description: "The checkout button fails WCAG AA contrast (2.9:1 on the grey background).\n\n[executor=cloud]",
    labels: ["Bug"],
    estimate: 2,
  },
  expect: { executor: "cloud", pullRequest: true },
};

/** The cloud refuses to start its run (Codegen answers 402: the plan's allowance is used up), so it falls back to the local agent. */
export const FALLBACK_ISSUE: DemoIssue = {
  role: "fallback",
  issue: {
    title: "Upgrade the payments SDK to v5",
    description: "v4 is deprecated at the end of the quarter. Update the client, the webhook signature check and the tests.\n\n[executor=cloud]",
    labels: ["Chore"],
    estimate: 3,
  },
  expect: { executor: "local", fallbackFrom: "cloud", pullRequest: false },
};

/** Ready to delegate from the panel's "Start work" form. */
export const BACKLOG: CreateIssueInput[] = [
  {
    title: "Cart badge keeps the old count after removing an item",
    description: "Steps: add two items, remove one from the cart page. The header badge still says 2 until a reload.\n\nExpected: the badge updates at once.",
    labels: ["Bug"],
    estimate: 1,
    priority: 2,
  },
  {
    title: "Rate-limit the public search endpoint",
    description:
      "Scrapers hit /api/search hard at night. Add a per-IP token bucket (60 requests a minute), answer 429 with Retry-After, and log the refusals.\n\n## Acceptance criteria\n- [ ] limits are configurable\n- [ ] a test covers the 429\n- [ ] the docs mention the limit",
    labels: ["Feature"],
    estimate: 8,
  },
  {
    title: "Investigate slow product page loads in Safari",
    description: "Largest Contentful Paint is around 4 s on Safari and 1.5 s on Chrome. Find out why and propose a fix; no code change yet.",
    labels: ["Investigation"],
    estimate: 2,
  },
  {
    title: "Upgrade React to 19",
    description: "Bump react and react-dom, replace the removed string refs in the legacy admin screens, and fix what the type checker finds.",
    labels: ["Dependencies"],
    estimate: 3,
    priority: 4,
  },
];

/** What the emulator keeps in memory. Times are emulator milliseconds. */
import type { ResolvedScript } from "./types";

export interface RepoRecord {
  id: number;
  /** `owner/name`, as PR URLs use it. */
  name: string;
  nextPrNumber: number;
}

export interface OrgRecord {
  id: number;
  repos: RepoRecord[];
  /** Runs the billing plan allows in total; null for no limit. */
  allowance: number | null;
  /** Consumed one per create or resume, before the default. */
  scriptQueue: ResolvedScript[];
  defaultScript: ResolvedScript;
  runs: RunRecord[];
}

export interface TokenRecord {
  token: string;
  hash: string;
  userId: number;
  orgIds: Set<number>;
}

export interface PrRecord {
  id: number;
  title: string;
  url: string;
  headBranchName: string;
  /** When it appears on the run; Infinity for a run that never ends and never opens one. */
  opensAtMs: number;
}

/** One stretch of work: the create, then each resume. */
export interface Segment {
  startedAtMs: number;
  prompt: string;
  script: ResolvedScript;
  prs: PrRecord[];
  /** Ended early: stopped by ban/remove-from-pr, or replaced by a resume while it worked. */
  cut: { atMs: number; reason: "stopped" | "resumed" } | null;
}

export interface RunRecord {
  id: number;
  orgId: number;
  repoId: number;
  userId: number;
  tokenHash: string;
  prompt: string;
  images: number;
  model: string | null;
  agentType: string | null;
  metadata: Record<string, unknown> | null;
  createdAtMs: number;
  segments: Segment[];
  /** Reported with lowercase statuses for its whole life (a `lowercaseStatus` fault on its create). */
  lowercase: boolean;
  banned: boolean;
  removedFromPr: boolean;
}

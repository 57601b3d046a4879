import { app } from "./app";

export { IssueSession } from "./durable-objects/issue-session";
export { Workspace } from "./durable-objects/workspace";

export default app;

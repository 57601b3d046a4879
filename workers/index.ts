import { app } from "./app";

export { CodegenGate } from "./durable-objects/codegen-gate";
export { IssueSession } from "./durable-objects/issue-session";
export { Workspace } from "./durable-objects/workspace";

export default app;

import { app } from "./app";

export { CodegenGate } from "./objects/codegen-gate/codegen-gate";
export { IssueSession } from "./objects/issue-session/issue-session";
export { Workspace } from "./objects/workspace/workspace";

export default app;

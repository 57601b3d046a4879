/**
 * `/api/sessions`, mounted once: what the edge has handled (`read.ts`: the
 * list, one session, its logs) and what a person can do to one (`actions.ts`:
 * stop, retry, send a message).
 */
import { factory } from "../../../factory";
import { sessionActionRoutes } from "./actions";
import { sessionReadRoutes } from "./read";

export { LOG_STREAM } from "./read";

export const sessionRoutes = factory.createApp().route("/", sessionReadRoutes).route("/", sessionActionRoutes);

import { factory } from "../factory";

/** For monitors: answers without touching storage, so it measures the Worker alone. */
export const healthRoutes = factory.createApp().get("/", (c) => c.json({ ok: true, service: "cyrus-edge" }));

import { factory } from "../../factory";

export const overviewPages = factory.createApp().get("/", (c) => c.render(<h1>Overview</h1>, { title: "Overview", nav: "overview" }));

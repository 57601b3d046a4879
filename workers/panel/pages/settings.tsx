import { factory } from "../../factory";

export const settingsPages = factory.createApp();

import { factory } from "../../factory";

export const analyticsPages = factory.createApp();

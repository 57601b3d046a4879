import { factory } from "../../factory";

export const sessionPages = factory.createApp();

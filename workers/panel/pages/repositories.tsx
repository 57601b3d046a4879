import { factory } from "../../factory";

export const repositoryPages = factory.createApp();

import { factory } from "../factory";

export const linearSignInRoutes = factory.createApp();

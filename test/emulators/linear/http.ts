/** The emulator's HTTP helpers: the ones both emulators share. */
export * from "../shared/http";

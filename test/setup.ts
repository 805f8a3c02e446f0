/** Runs before every test file: sockets reach loopback only (see net-guard.ts). */
import { installNetGuard } from "./net-guard.js";

installNetGuard();

// The client reads the official CLI's token file when no token is given: never the real one in tests.
process.env.RUNCOMFY_CONFIG_DIR = "/nonexistent/runcomfy-codegen-tests";

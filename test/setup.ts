/** Runs before every test file: sockets reach loopback only (see net-guard.ts). */
import { installNetGuard } from "./net-guard.js";

installNetGuard();

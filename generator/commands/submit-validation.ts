/**
 * What `run` and `batch` check before a submit: their shared flags (validation, media probes, the
 * private-network and http allowances, what a probe failure and an unknown key become) and the
 * validation options those flags make.
 */
import type { Argv } from "yargs";
import type { ValidateOptions } from "../runtime/validation/validate.js";

export interface SubmitValidationArgs {
  validate: boolean;
  probe: boolean;
  "allow-private-network": boolean;
  "allow-http": boolean;
  "probe-failures": "error" | "warning";
  "unknown-properties": "error" | "warning" | "ignore";
}

export const withSubmitValidationFlags = <T>(c: Argv<T>) =>
  c
    .option("validate", {
      type: "boolean",
      default: true,
      describe: "Validate before submitting (--no-validate to skip)",
    })
    .option("probe", {
      type: "boolean",
      default: true,
      describe: "Probe media for the rules (--no-probe: schema only)",
    })
    .option("allow-private-network", {
      type: "boolean",
      default: false,
      describe: "Let probes and --download reach loopback/private addresses",
    })
    .option("allow-http", { type: "boolean", default: false, describe: "Accept plain http media URLs" })
    .option("probe-failures", {
      choices: ["error", "warning"] as const,
      default: "warning" as const,
      describe: "A media rule this machine could not check (network, timeout, 5xx): warn and submit, or refuse",
    })
    .option("unknown-properties", {
      choices: ["error", "warning", "ignore"] as const,
      default: "warning" as const,
      describe: "A key the schema does not declare: warn (sent as is), refuse, or ignore",
    });

/** The validation the flags ask for, or false for --no-validate. */
export function submitValidationOf(args: SubmitValidationArgs): ValidateOptions | false {
  if (!args.validate) return false;
  return {
    allowHttp: args["allow-http"],
    unknownProperties: args["unknown-properties"],
    probeFailures: args["probe-failures"],
    probe: args.probe ? { allowPrivateNetwork: args["allow-private-network"] } : false,
  };
}

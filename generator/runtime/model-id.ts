/** Model ids are path-like: segments of letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/**
 * Intentionally empty: this package's contents arrive with a later issue (see README.md).
 * It exists now so the workspace layout, build and publishing settings are in place.
 */
export {};

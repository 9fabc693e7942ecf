/**
 * The installed package's root (package.json, bin/, migrations/), as a directory URL. This module
 * is two levels below the root wherever it runs: src/domain/ (tests), dist/domain/ (the compiled
 * library) and dist/bundle/ (the bundle bin/audit.js loads, scripts/bundle.mjs), so one relative
 * URL holds for all three. Files that need the root ask here instead of counting `../` of their own.
 */
export const PACKAGE_ROOT = new URL('../../', import.meta.url);

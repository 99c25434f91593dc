import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// Not a test: bench/lighthouse.sh runs this to sign a member in, take them through the wizard and
// measure pages with Lighthouse as that member. Lighthouse runs its own Chromium, one page at a time.
export default defineConfig({
  ...base,
  testDir: "./lighthouse",
  timeout: 15 * 60_000,
  reporter: "line",
});

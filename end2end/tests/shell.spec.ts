import { Page } from "@playwright/test";
import { test, expect } from "./support/test";

// Fails the test on any console error, such as a script the Content-Security-Policy blocked.
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return problems;
}

async function hydrated(page: Page) {
  // The WASM bundle marks the document once hydration has finished.
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
}

test("the launcher shows the three apps in English", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
  const apps = page.getByRole("list", { name: "Apps" });
  for (const name of ["Meetings", "Admin", "Settings"]) {
    await expect(apps.getByRole("link", { name: new RegExp(`^${name}`) })).toBeVisible();
  }
  await hydrated(page);
  expect(problems).toEqual([]);
});

test("a Dutch browser gets the launcher in Dutch", async ({ browser }) => {
  const context = await browser.newContext({ locale: "nl-NL" });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Uw apps" })).toBeVisible();
  await expect(page.getByRole("link", { name: /^Vergaderingen/ }).first()).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "nl");
  await context.close();
});

test("switching the language updates the page and is remembered", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByLabel("Language").selectOption("nl");
  await expect(page.getByRole("heading", { level: 1, name: "Uw apps" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Uw apps" })).toBeVisible();
  // The switch works once the reloaded page runs.
  await hydrated(page);
  await page.getByLabel("Taal").selectOption("en");
  await expect(page.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
});

test("the status check round-trips through PostgreSQL", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/settings");
  await hydrated(page);
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByRole("status")).toHaveText(
    /^Database reachable in \d+ ms\.$/,
  );
  expect(problems).toEqual([]);
});

test("an unknown address shows the not-found page with status 404", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Go to your apps" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
});

test("pages carry the security headers", async ({ request }) => {
  const response = await request.get("/");
  const headers = response.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+'/);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-request-id"]).toBeTruthy();
});

test("Skip to content moves the keyboard into the page's content", async ({ page }) => {
  await page.goto("/signin");
  await hydrated(page);
  await page.getByRole("link", { name: "Skip to content" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("main")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.locator("main :focus")).toHaveCount(1);
});

test("a link clicked while the page's code is still loading opens its page at once", async ({ page }) => {
  // Every page's own code is held back, so the click lands while the sign-up page starts.
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const pageCodeAsked = page.waitForRequest((request) => isPageCode(request.url()));
  await page.route((url) => isPageCode(url.href), async (route) => {
    await released;
    await route.continue();
  });
  await page.goto("/signup", { waitUntil: "domcontentloaded" });
  await pageCodeAsked;
  await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
  // The browser follows the link itself: the page the link leads to waits for no code.
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  release();
  await hydrated(page);
});

/** A page's own code: the chunks split from the main module, which loads first. */
function isPageCode(url: string): boolean {
  const file = new URL(url).pathname.split("/").pop() ?? "";
  return url.includes("/pkg/") && file.endsWith(".wasm") && !file.startsWith("tenantry.");
}

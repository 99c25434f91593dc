import { test, expect } from "@playwright/test";
import { hydrated, PASSWORD } from "./support/accounts";
import { latestCode } from "./support/mail";

test("sign up with a mailed code, sign out, sign in", async ({ page }) => {
  const email = "rob@contoso.com";
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Sign up" }).first().click();

  await expect(page.getByRole("heading", { level: 1, name: "Sign up" })).toBeVisible();
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Your name").fill("Rob Smith");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  await page.getByLabel("Code").fill(await latestCode(email));
  await page.getByRole("button", { name: "Verify" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "contoso.com" })).toBeVisible();
  await expect(page.getByText("Unmanaged: nobody administers your organization yet.")).toBeVisible();
  await expect(page.getByText("People signed up: 1")).toBeVisible();
  await expect(page.locator("header")).toContainText("Rob Smith");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expect(page.locator("header")).not.toContainText("Rob Smith");

  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
  await expect(page.locator("header")).toContainText("Rob Smith");
});

test("a personal mail address is refused with a clear message", async ({ page }) => {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Work email").fill("rob@gmail.com");
  await page.getByLabel("Your name").fill("Rob");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toContainText("Use your work email");
  await expect(page.getByLabel("Work email")).toHaveValue("rob@gmail.com");
});

test("a wrong password gets one message for every cause", async ({ page }) => {
  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Work email").fill("nobody@contoso.com");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("The email address or password is wrong.");
});

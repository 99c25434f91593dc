import { test, expect } from "./support/test";
import { hydrated, sendSignIn, sendSignUp, verifyWithMailedCode, visit } from "./support/accounts";

test("sign up with a mailed code, sign out, sign in", async ({ page }) => {
  const email = "rob@contoso.com";
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Sign up" }).first().click();

  await expect(page.getByRole("heading", { level: 1, name: "Sign up" })).toBeVisible();
  await sendSignUp(page, email, "Rob Smith");
  await verifyWithMailedCode(page, email);

  await expect(page.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "contoso.com" })).toBeVisible();
  await expect(page.getByText("Unmanaged: nobody administers your organization yet.")).toBeVisible();
  await expect(page.getByText("People signed up: 1")).toBeVisible();
  await expect(page.locator("header")).toContainText("Rob Smith");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expect(page.locator("header")).not.toContainText("Rob Smith");

  // A page for members, opened signed out, offers to sign in and comes back to it.
  await visit(page, "/account/devices?shown=all");
  await expect(page.getByText("Sign in to continue.")).toBeVisible();
  await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await hydrated(page);
  await sendSignIn(page, email);
  await expect(page.getByRole("heading", { level: 1, name: "Your devices" })).toBeVisible();
  await expect(page).toHaveURL(/\/account\/devices\?shown=all$/);
  await expect(page.locator("header")).toContainText("Rob Smith");
});

test("a personal mail address is refused with a clear message", async ({ page }) => {
  await visit(page, "/signup");
  await sendSignUp(page, "rob@gmail.com", "Rob");
  await expect(page.getByRole("alert")).toContainText("Use your work email");
  await expect(page.getByLabel("Work email")).toHaveValue("rob@gmail.com");
});

test("a wrong password gets one message for every cause", async ({ page }) => {
  await visit(page, "/signin");
  await sendSignIn(page, "nobody@contoso.com", "not the password at all");
  await expect(page.getByRole("alert")).toContainText("The email address or password is wrong.");
});

test("the code page shows only its latest answer", async ({ page }) => {
  await visit(page, "/signup");
  await sendSignUp(page, "ida@proseware.com", "Ida Berg");
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Code").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toHaveText(/That code is not right/);
  // A new code within the minute is refused, and the old code's refusal is no longer news.
  await page.getByRole("button", { name: "Send a new code" }).click();
  await expect(page.getByRole("alert")).toHaveText(/The code we just sent still works/);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toHaveText(/That code is not right/);
  await verifyWithMailedCode(page, "ida@proseware.com");
  await expect(page.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
});

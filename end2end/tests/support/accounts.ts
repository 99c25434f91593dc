import { expect, Page } from "@playwright/test";
import { latestCode } from "./mail";

export const PASSWORD = "violet kettle harbor";

export async function hydrated(page: Page) {
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
}

/** Opens `path` and waits until its page runs. */
export async function visit(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

/** Fills in and sends the sign-up form on the page that shows it. */
export async function sendSignUp(page: Page, email: string, name: string) {
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Fills in and sends the sign-in form on the page that shows it. */
export async function sendSignIn(page: Page, email: string, password = PASSWORD) {
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Enters the code of the mail just sent to `email`, on the page that asks for it. */
export async function verifyWithMailedCode(page: Page, email: string) {
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  await page.getByLabel("Code").fill(await latestCode(email));
  await page.getByRole("button", { name: "Verify" }).click();
}

/** Signs up through the pages, with the code from the delivered mail; ends on the launcher. */
export async function signUp(page: Page, email: string, name: string) {
  await visit(page, "/signup");
  await sendSignUp(page, email, name);
  await verifyWithMailedCode(page, email);
  await expect(page.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
}

import { expect, Page } from "@playwright/test";
import { latestCode } from "./mail";

export const PASSWORD = "violet kettle harbor";

export async function hydrated(page: Page) {
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
}

/** Signs up through the pages, with the code from the delivered mail; ends on the launcher. */
export async function signUp(page: Page, email: string, name: string) {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  await page.getByLabel("Code").fill(await latestCode(email));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
}

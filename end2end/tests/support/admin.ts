import { expect, Page } from "@playwright/test";
import { hydrated } from "./accounts";
import { addTxt } from "./dns";

/** From the Admin tile: proves `domain` through the test DNS server and buys `licenses`
 * Business Basic licenses with the test card; ends on the licenses page. */
export async function becomeAdmin(page: Page, domain: string, licenses: number) {
  await page.goto("/");
  await page.getByRole("list", { name: "Apps" }).getByRole("link", { name: /^Admin/ }).click();
  await page.getByRole("button", { name: "Become the admin" }).click();
  addTxt(domain, await page.getByTestId("txt-name").innerText(), await page.getByTestId("txt-value").innerText());
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: "Buy licenses" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel(/Business Basic/).check();
  await page.getByLabel("Number of licenses").fill(String(licenses));
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByLabel("Expiry date (MM/YY)").fill("12/30");
  await page.getByLabel("Security code (CVC)").fill("123");
  await page.getByRole("button", { name: "Pay and upgrade" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Licenses" })).toBeVisible();
}

/** Opens a person's page from the people list. */
export async function openPerson(page: Page, name: string) {
  await page.goto("/admin/people");
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name, exact: true })).toBeVisible();
  await hydrated(page);
}

import { test, expect } from "./support/test";
import { hydrated, signUp } from "./support/accounts";
import { addTxt } from "./support/dns";

test("from the Admin tile: add the shown TXT record, verify, reach the licenses step", async ({ page }) => {
  await signUp(page, "megan@contoso.com", "Megan Bowen");
  await page.getByRole("list", { name: "Apps" }).getByRole("link", { name: /^Admin/ }).click();
  await page.getByRole("button", { name: "Become the admin" }).click();

  await expect(page.getByRole("heading", { level: 2, name: "Prove you own your domain" })).toBeVisible();
  const name = await page.getByTestId("txt-name").innerText();
  const value = await page.getByTestId("txt-value").innerText();
  expect(name).toBe("_tenantry-challenge.contoso.com");
  expect(value).toMatch(/^tenantry-verification=[a-z2-7]{26}$/);

  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(page.getByRole("status")).toContainText("We did not find the record yet.");

  // Coming back later: the page starts its re-checks and says what the last look-up found.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("status")).toContainText("Last looked up:");
  await expect(page.getByRole("status")).toContainText("We did not find the record yet.");
  await expect(page.getByText(/We check again automatically in \d+ s\./)).toBeVisible();

  addTxt("contoso.com", name, value);
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(page.getByText("Domain verified:")).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Buy licenses" })).toBeVisible();
  const plans = page.locator("ul.plans li");
  await expect(plans).toHaveText(["Business Basic"]);

  // Reloading resumes at the same step.
  await page.reload();
  await expect(page.getByRole("heading", { level: 2, name: "Buy licenses" })).toBeVisible();
});

test("from Upgrade in Meetings: the page re-checks by itself and offers both plans", async ({ page }) => {
  await signUp(page, "sara@fabrikam.com", "Sara de Vries");
  await page.getByRole("list", { name: "Apps" }).getByRole("link", { name: /^Meetings/ }).click();
  await page.getByRole("button", { name: "Upgrade" }).click();

  await expect(page.getByRole("heading", { level: 2, name: "Prove you own your domain" })).toBeVisible();
  await expect(page.getByText(/We check again automatically in \d+ s\./)).toBeVisible();
  addTxt("fabrikam.com", await page.getByTestId("txt-name").innerText(), await page.getByTestId("txt-value").innerText());

  await expect(page.getByText("Domain verified:")).toBeVisible({ timeout: 20_000 });
  await expect(page.locator("ul.plans li")).toHaveText(["Business Basic", "Business Standard"]);
});

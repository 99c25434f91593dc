import { test, expect } from "./support/test";
import { hydrated, PASSWORD, signUp } from "./support/accounts";
import { addTxt } from "./support/dns";

test("the seed story: two sign up, one upgrades from Meetings with Business Standard", async ({ browser }) => {
  const adeleContext = await browser.newContext();
  const alexContext = await browser.newContext();
  const adele = await adeleContext.newPage();
  const alex = await alexContext.newPage();
  await signUp(adele, "adele@northwind.com", "Adele Vance");
  await signUp(alex, "alex@northwind.com", "Alex Wilber");
  await alex.getByRole("list", { name: "Apps" }).getByRole("link", { name: /^Meetings/ }).click();
  await expect(alex.getByRole("heading", { name: "Your meetings admit up to 10 participants" })).toBeVisible();
  await hydrated(alex);
  await alex.getByLabel("Who waits in the lobby").selectOption("nobody");
  await alex.getByLabel("Muted when joining").check();
  await alex.getByLabel("Personal room name").fill("Alex's room");
  await alex.getByRole("button", { name: "Save settings" }).click();
  await expect(alex.getByText("Settings saved.")).toBeVisible();

  await adele.getByRole("list", { name: "Apps" }).getByRole("link", { name: /^Meetings/ }).click();
  await adele.getByRole("button", { name: "Upgrade" }).click();
  addTxt("northwind.com", await adele.getByTestId("txt-name").innerText(), await adele.getByTestId("txt-value").innerText());
  await adele.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(adele.getByRole("heading", { level: 2, name: "Buy licenses" })).toBeVisible();

  await adele.getByLabel(/Business Standard/).check();
  const quantity = adele.getByLabel("Number of licenses");
  await expect(quantity).toHaveValue("2");
  await expect(adele.getByText("Total charged now:")).toContainText("$336.00");
  await adele.getByLabel("Billing", { exact: true }).selectOption("Monthly");
  await expect(adele.getByText("Total charged now:")).toContainText("$29.40");
  await adele.getByLabel("Billing", { exact: true }).selectOption("Annual");
  // Fewer licenses than people have no price: the page says what it accepts.
  await quantity.fill("1");
  await expect(adele.getByText("Choose from 2 to 300 licenses to see the total.")).toBeVisible();
  await quantity.fill("2");
  await expect(adele.getByText("Total charged now:")).toContainText("$336.00");
  await expect(adele.getByText("Test mode", { exact: true })).toBeVisible();
  await expect(adele.getByText("Alex Wilber (alex@northwind.com)")).toBeVisible();

  await adele.getByLabel("Card number").fill("4000 0000 0000 0002");
  await adele.getByLabel("Expiry date (MM/YY)").fill("12/30");
  await adele.getByLabel("Security code (CVC)").fill("123");
  await adele.getByRole("button", { name: "Pay and upgrade" }).click();
  await expect(adele.getByRole("alert").filter({ hasText: "The card was declined." })).toBeVisible();

  await adele.reload();
  await hydrated(adele);
  await adele.getByLabel(/Business Standard/).check();
  await adele.getByLabel("Card number").fill("4242 4242 4242 4242");
  await adele.getByLabel("Expiry date (MM/YY)").fill("12/30");
  await adele.getByLabel("Security code (CVC)").fill("123");
  await adele.getByRole("button", { name: "Pay and upgrade" }).click();

  await expect(adele.getByRole("heading", { level: 1, name: "Licenses" })).toBeVisible();
  await expect(adele.getByRole("status").filter({ hasText: "You are now the admin." })).toBeVisible();
  const row = adele.getByRole("row", { name: /Business Standard/ });
  await expect(row.getByRole("cell").nth(0)).toHaveText("2");
  await expect(row.getByRole("cell").nth(1)).toHaveText("2");
  await expect(row.getByRole("cell").nth(2)).toHaveText("0");

  // Every license is in use, so none can be removed; the page says why.
  await hydrated(adele);
  await adele.getByLabel("Licenses to remove").fill("1");
  await adele.getByRole("button", { name: "Remove licenses" }).click();
  const inUse = adele.getByRole("alert").filter({ hasText: "These licenses are in use: unassign 1 license first." });
  await expect(inUse).toBeVisible();

  // A new colleague is coming: the admin buys one more license through the same payment path.
  await expect(adele.getByText("Each license costs $168.00 per year (Business Standard).")).toBeVisible();
  await adele.getByLabel("Licenses to add").fill("1");
  await adele.getByLabel("Card number").fill("4000 0000 0000 0002");
  await adele.getByLabel("Expiry date (MM/YY)").fill("12/30");
  await adele.getByLabel("Security code (CVC)").fill("123");
  await adele.getByRole("button", { name: "Buy licenses" }).click();
  await expect(adele.getByRole("alert").filter({ hasText: "The card was declined." })).toBeVisible();
  // A declined card changed no license: that still holds.
  await expect(inUse).toBeVisible();
  // The declined order is listed at once, and the form keeps what was typed.
  const orders = adele.getByRole("list", { name: "Orders" });
  await expect(orders.getByRole("listitem").filter({ hasText: "declined" })).toHaveCount(2);
  await expect(adele.getByLabel("Licenses to add")).toHaveValue("1");
  await expect(adele.getByLabel("Security code (CVC)")).toHaveValue("123");
  await adele.getByLabel("Card number").fill("4242 4242 4242 4242");
  await adele.getByRole("button", { name: "Buy licenses" }).click();
  await expect(adele.getByText("Licenses added.")).toBeVisible();
  // What the refused removal said no longer holds.
  await expect(inUse).toHaveCount(0);
  // The charged card's details do not stay on the screen.
  await expect(adele.getByLabel("Card number")).toHaveValue("");
  await expect(adele.getByLabel("Security code (CVC)")).toHaveValue("");
  await expect(row.getByRole("cell").nth(0)).toHaveText("3");
  await expect(row.getByRole("cell").nth(2)).toHaveText("1");
  // A form being filled in keeps what was typed when the page is redrawn around it.
  await adele.getByLabel("Licenses to add").fill("2");
  await adele.getByLabel("Licenses to remove").fill("1");
  await adele.getByRole("button", { name: "Remove licenses" }).click();
  await expect(adele.getByText("Licenses removed.")).toBeVisible();
  await expect(row.getByRole("cell").nth(0)).toHaveText("2");
  await expect(adele.getByLabel("Licenses to add")).toHaveValue("2");

  // Each paid order has a printable invoice.
  await expect(orders.getByRole("link", { name: /^Invoice \d+$/ })).toHaveCount(2);
  await orders.getByRole("link", { name: /^Invoice \d+$/ }).first().click();
  await expect(adele.getByRole("heading", { level: 1, name: "Invoice" })).toBeVisible();
  await expect(adele.getByText("Business Standard (additional licenses)")).toBeVisible();
  await expect(adele.getByRole("row", { name: /^Total/ })).toContainText("$168.00");
  await expect(adele.getByRole("button", { name: "Print invoice" })).toBeVisible();

  await alex.goto("/");
  await expect(alex.getByText("Managed: your organization has an admin and a paid plan.")).toBeVisible();
  await alex.goto("/meetings");
  await expect(alex.getByRole("heading", { name: "Your meetings admit up to 300 participants" })).toBeVisible();
  await expect(alex.getByLabel("Who waits in the lobby")).toHaveValue("nobody");
  await expect(alex.getByLabel("Muted when joining")).toBeChecked();
  await expect(alex.getByLabel("Personal room name")).toHaveValue("Alex's room");

  await adeleContext.close();
  await alexContext.close();
});

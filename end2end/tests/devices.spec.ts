import { devices } from "@playwright/test";
import { test, expect } from "./support/test";
import { hydrated, signUp, visit } from "./support/accounts";
import { readQr } from "./support/qr";

test("a member sets up a phone from a QR code, sees it and signs it out", async ({ browser }) => {
  const computer = await (await browser.newContext()).newPage();
  await signUp(computer, "rosa@fabrikam.com", "Rosa Diaz");
  await visit(computer, "/account/devices");
  await expect(computer.getByRole("heading", { level: 1, name: "Your devices" })).toBeVisible();
  await computer.getByRole("link", { name: "Set up a phone" }).click();
  await hydrated(computer);
  await computer.getByRole("button", { name: "Show the QR code" }).click();
  const link = await readQr(computer.getByTestId("phone-qr"));
  expect(link).toMatch(/\/phone\/[0-9a-f]{64}$/);
  await expect(computer.getByRole("status").filter({ hasText: "Waiting for the phone" })).toBeVisible();

  const phoneContext = await browser.newContext({ ...devices["Pixel 7"] });
  const phone = await phoneContext.newPage();
  await phone.goto(new URL(link).pathname);
  await expect(phone.getByText("This link signs this phone in to Tenantry as Rosa Diaz.")).toBeVisible();
  await hydrated(phone);
  await phone.getByRole("button", { name: "Sign in on this phone" }).click();
  await expect(phone.getByRole("heading", { level: 1, name: "Meetings" })).toBeVisible();
  await expect(computer.getByText("The phone is signed in.")).toBeVisible();

  // The link does not work a second time.
  const other = await (await browser.newContext()).newPage();
  await other.goto(new URL(link).pathname);
  await expect(other.getByRole("alert")).toContainText("This sign-in link no longer works");

  await visit(computer, "/account/devices");
  const table = computer.getByRole("table", { name: "Signed-in devices" });
  await expect(table.getByRole("row", { name: /This device/ })).toBeVisible();
  const phoneRow = table.getByRole("row", { name: /Chrome on Android/ });
  await expect(phoneRow).toBeVisible();
  await phoneRow.getByRole("button", { name: /^Sign out/ }).click();
  await expect(phoneRow).toHaveCount(0);

  await phone.reload();
  await expect(phone.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
});

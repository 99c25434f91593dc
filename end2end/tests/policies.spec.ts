import { test, expect } from "./support/test";
import { hydrated, sendSignUp, signUp, visit } from "./support/accounts";
import { becomeAdmin } from "./support/admin";
import { latestCode } from "./support/mail";

test("an admin's policies take effect: who may join, guests, the password length", async ({ browser }) => {
  test.setTimeout(180_000);
  const open = async () => (await browser.newContext()).newPage();
  const kim = await open();
  const dan = await open();
  await signUp(kim, "kim@litware.com", "Kim Akers");
  await signUp(dan, "dan@litware.com", "Dan Park");
  await becomeAdmin(kim, "litware.com", 2);

  // A meeting open to guests, before the policy changes.
  await visit(kim, "/meetings");
  await kim.getByLabel("Title", { exact: true }).fill("Open house");
  await kim.getByLabel("Starts at").fill("2030-01-15T10:00");
  await kim.getByLabel("Guests without an account may join by name").check();
  await kim.getByRole("button", { name: "Create meeting" }).click();
  await expect(kim.getByRole("heading", { level: 1, name: "Open house" })).toBeVisible();
  const meeting = new URL(kim.url()).pathname;

  await visit(kim, "/admin/policies");
  await kim.getByLabel(/^Only people an admin adds may join/).check();
  await kim.getByLabel("Guests from outside may join meetings").uncheck();
  await kim.getByLabel("Minimum password length (12 to 64)").fill("16");
  await kim.getByRole("button", { name: "Save policies" }).click();
  await expect(kim.getByText("Policies saved.")).toBeVisible();

  // A self sign-up on the domain is refused, naming the admin.
  const newcomer = await open();
  await visit(newcomer, "/signup");
  await sendSignUp(newcomer, "lou@litware.com", "Lou Grant");
  await expect(newcomer.getByRole("alert")).toContainText("Ask Kim Akers to add you.");

  // A guest can no longer join the organization's meeting.
  const guest = await open();
  await guest.goto(meeting);
  await expect(guest.getByRole("alert")).toContainText("The organization does not allow guests in its meetings.");

  // A 12-character password is refused at reset; a 16-character one is accepted.
  await visit(dan, "/password/forgot");
  await dan.getByLabel("Work email").fill("dan@litware.com");
  await dan.getByRole("button", { name: "Send code" }).click();
  await expect(dan.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
  await hydrated(dan);
  await dan.getByLabel("Code").fill(await latestCode("dan@litware.com"));
  await dan.getByLabel("New password").fill("twelve chars");
  await dan.getByRole("button", { name: "Set new password" }).click();
  await expect(dan.getByRole("alert").filter({ hasText: "Your organization asks for passwords of at least 16 characters." })).toBeVisible();
  await dan.getByLabel("New password").fill("sixteen characters");
  await dan.getByRole("button", { name: "Set new password" }).click();
  await expect(dan.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();

  // Each change is in the audit log with its old and new value.
  await visit(kim, "/admin/audit?kind=policy.changed");
  const change = kim.getByRole("row", { name: /Minimum password length/ });
  await expect(change).toContainText("From: 12");
  await expect(change).toContainText("To: 16");
});

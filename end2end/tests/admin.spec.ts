import { Page } from "@playwright/test";
import { test, expect } from "./support/test";
import { hydrated, sendSignIn, signUp, visit } from "./support/accounts";
import { becomeAdmin, openPerson } from "./support/admin";
import { latestMailHeader, latestMailText } from "./support/mail";
import { addTxt } from "./support/dns";

const NEW_PASSWORD = "amber lantern meadow";

async function signedOut(page: Page) {
  await page.reload();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
}

test("the admin adds, contacts, resets, delegates, removes and restores people", async ({ browser }) => {
  test.setTimeout(240_000);
  const open = async () => (await browser.newContext()).newPage();
  const lee = await open();
  const sara = await open();
  const ann = await open();
  await signUp(sara, "sara@tailspin.com", "Sara Davis");
  await signUp(lee, "lee@tailspin.com", "Lee Gu");
  await becomeAdmin(lee, "tailspin.com", 3);

  // An admin page opened signed out asks to sign in first, then opens as it was asked for.
  const later = await open();
  await later.goto("/admin/people?status=active");
  await expect(later.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await hydrated(later);
  await sendSignIn(later, "lee@tailspin.com");
  await expect(later.getByRole("heading", { level: 1, name: "People" })).toBeVisible();
  await expect(later).toHaveURL(/\/admin\/people\?status=active$/);
  await later.context().close();

  // The admin center's home counts people and licenses.
  await visit(lee, "/admin");
  await expect(lee.getByRole("heading", { level: 1, name: "Admin center" })).toBeVisible();
  await expect(lee.getByRole("list", { name: "Your organization at a glance" })).toContainText("Business Basic licenses assigned; 1 available");

  // Adding a person mails an invitation; following it, they choose a password and are licensed.
  await lee.getByRole("navigation", { name: "Admin center" }).getByRole("link", { name: "People" }).click();
  await lee.getByRole("link", { name: "Add people" }).click();
  await hydrated(lee);
  await lee.getByLabel("Name", { exact: true }).fill("Ann Lee");
  await lee.getByLabel("Work email").fill("ann@fabrikam.com");
  await lee.getByRole("button", { name: "Add and invite" }).click();
  await expect(lee.getByRole("alert").filter({ hasText: "Use an address on your organization's domain: tailspin.com." })).toBeVisible();
  await expect(lee.getByLabel("Name", { exact: true })).toHaveValue("Ann Lee");
  await lee.getByLabel("Work email").fill("ann@tailspin.com");
  await lee.getByRole("button", { name: "Add and invite" }).click();
  await expect(lee.getByText("Added. The invitation is on its way.")).toBeVisible();
  // The form is emptied for the next person.
  await expect(lee.getByLabel("Work email")).toHaveValue("");
  await expect(lee.getByLabel("Name", { exact: true })).toHaveValue("");
  const invitation = await latestMailText("ann@tailspin.com");
  const link = invitation.match(/https?:\/\/\S+\/invitation\/[0-9a-f]+/)?.[0];
  expect(link).toBeTruthy();
  await ann.goto(new URL(link!).pathname);
  await expect(ann.getByText("Hello Ann Lee, you have been added to tailspin.com on Tenantry.")).toBeVisible();
  await hydrated(ann);
  await ann.getByLabel("Choose a password").fill(NEW_PASSWORD);
  await ann.getByRole("button", { name: "Accept and sign in" }).click();
  await expect(ann.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
  await ann.goto("/meetings");
  await expect(ann.getByRole("heading", { name: "Your meetings admit up to 300 participants" })).toBeVisible();

  // Contacting everyone reaches each mailbox, in the admin's name.
  await lee.goto("/admin/people");
  await lee.getByRole("link", { name: "Contact everyone" }).click();
  await expect(lee.getByText("To everyone: 3 people.")).toBeVisible();
  await hydrated(lee);
  await lee.getByLabel("Subject").fill("Office closed on Friday");
  await lee.getByLabel("Message").fill("The office is closed on Friday.\nWork from home.");
  await lee.getByRole("button", { name: "Send message" }).click();
  await expect(lee.getByText("Sent to 3 people.")).toBeVisible();
  await expect(lee.getByLabel("Subject")).toHaveValue("");
  for (const address of ["sara@tailspin.com", "ann@tailspin.com", "lee@tailspin.com"]) {
    await expect.poll(() => latestMailText(address)).toContain("The office is closed on Friday.");
  }
  expect(await latestMailHeader("sara@tailspin.com", "Reply-To")).toContain("lee@tailspin.com");
  expect(await latestMailHeader("sara@tailspin.com", "From")).toContain("Lee Gu");

  // A temporary password signs Sara out; she must choose a new one at sign-in.
  await openPerson(lee, "Sara Davis");
  await lee.getByRole("button", { name: "Create a temporary password" }).click();
  const temporary = await lee.getByTestId("temporary-password").innerText();
  await signedOut(sara);
  await visit(sara, "/signin");
  await sendSignIn(sara, "sara@tailspin.com", temporary);
  await expect(sara.getByText("Your organization asks you to choose a new password.")).toBeVisible();
  await sara.getByLabel("New password").fill(NEW_PASSWORD);
  await sara.getByRole("button", { name: "Sign in" }).click();
  await expect(sara.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();

  // A member who is no admin is told whom to ask.
  await sara.goto("/admin");
  await expect(sara.getByText("Your organization already has an admin: Lee Gu (lee@tailspin.com).")).toBeVisible();

  // Sara becomes a user admin: she resets a member's password but sees no orders.
  await openPerson(lee, "Sara Davis");
  await lee.getByLabel("Role").selectOption("user_admin");
  await lee.getByRole("button", { name: "Change role" }).click();
  await expect(lee.locator("dl.facts")).toContainText("User admin");
  // The page is drawn anew with the change, and the keyboard's place is kept.
  await expect(lee.getByRole("button", { name: "Change role" })).toBeFocused();
  // An admin role starts from a fresh sign-in.
  await signedOut(sara);
  await visit(sara, "/signin");
  await sendSignIn(sara, "sara@tailspin.com", NEW_PASSWORD);
  await expect(sara.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
  await openPerson(sara, "Ann Lee");
  await sara.getByRole("button", { name: "Mail a password reset link" }).click();
  await expect(sara.getByText("A reset link is on its way.")).toBeVisible();
  await sara.goto("/admin/licenses");
  await expect(sara).toHaveURL(/\/admin\?refused$/);
  await expect(sara.getByRole("alert")).toContainText("That page is not part of your admin role.");

  // Removing Ann signs her out, frees her license and stops her signing in; restoring brings her back.
  await visit(ann, "/meetings");
  await openPerson(lee, "Ann Lee");
  await lee.getByRole("button", { name: "Remove person" }).click();
  await expect(lee.locator("dl.facts")).toContainText("Removed");
  await signedOut(ann);
  await visit(ann, "/signin");
  await sendSignIn(ann, "ann@tailspin.com", NEW_PASSWORD);
  await expect(ann.getByRole("alert")).toContainText("The email address or password is wrong");
  await lee.goto("/admin/licenses");
  await expect(lee.getByRole("row", { name: /Business Basic/ }).getByRole("cell").nth(2)).toHaveText("1");
  await openPerson(lee, "Ann Lee");
  await lee.getByRole("button", { name: "Restore person" }).click();
  await expect(lee.getByText("Restored, with a license.")).toBeVisible();
  await expect(lee.locator("dl.facts")).toContainText("Active");
  await expect(lee.locator("dl.facts")).toContainText("Business Basic");
  await visit(ann, "/signin");
  await sendSignIn(ann, "ann@tailspin.com", NEW_PASSWORD);
  await expect(ann.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();

  // A second domain, proven with its DNS record: a sign-up on it joins the organization.
  await visit(lee, "/admin/domains");
  await lee.getByLabel("Domain", { exact: true }).fill("adatum.com");
  await lee.getByRole("button", { name: "Add domain" }).click();
  const adatum = lee.getByRole("listitem").filter({ has: lee.getByRole("heading", { name: "adatum.com" }) });
  await expect(adatum).toContainText("Waiting for its DNS record");
  await expect(lee.getByLabel("Domain", { exact: true })).toHaveValue("");
  addTxt("adatum.com", "_tenantry-challenge.adatum.com", await adatum.getByTestId("domain-txt-value").innerText());
  await adatum.getByRole("button", { name: "Verify domain" }).click();
  await expect(lee.getByText("Found the record, and it matches. Your domain is verified.")).toBeVisible();
  await expect(adatum).toContainText("Verified");
  const newcomer = await open();
  await signUp(newcomer, "mia@adatum.com", "Mia Ito");
  await expect(newcomer.getByRole("heading", { level: 2, name: "tailspin.com" })).toBeVisible();

  // The audit log shows each of these.
  await lee.goto("/admin/audit");
  const log = lee.getByRole("table", { name: "Events, newest first" });
  for (const action of ["Person added", "Invitation accepted", "Message sent", "Password reset", "Role changed", "Person removed", "Person restored", "Domain verified"]) {
    await expect(log.getByRole("cell", { name: action, exact: true }).first()).toBeVisible();
  }
  // What each recorded reads in words, not as stored.
  const added = log.getByRole("row").filter({ has: lee.getByRole("cell", { name: "Person added", exact: true }) });
  await expect(added.first()).toContainText("Email: ann@tailspin.com, License assigned: yes, Role: Member");
});

test("the admin adds many people from a CSV file, and a bad row adds nobody", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, "kai@wingtip.com", "Kai Berg");
  await becomeAdmin(page, "wingtip.com", 3);
  await page.goto("/admin/people");
  await page.getByRole("link", { name: "Add people" }).click();
  await hydrated(page);

  const chooseFile = (text: string) =>
    page.getByLabel("CSV file").setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(text) });
  await chooseFile("name,email,license\nMia Holm,mia@wingtip.com,yes\nOle Dahl,ole@fabrikam.com,\n");
  await expect(page.getByLabel("People to add, one per line")).toHaveValue(/ole@fabrikam\.com/);
  await page.getByRole("button", { name: "Add everyone" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "Nothing was added." });
  await expect(refusal).toContainText("Line 3: the address is not on one of your organization's verified domains.");
  await expect(page.getByLabel("People to add, one per line")).toHaveValue(/ole@fabrikam\.com/);

  await chooseFile("name,email,license\nMia Holm,mia@wingtip.com,yes\nOle Dahl,ole@wingtip.com,\n");
  await expect(page.getByLabel("People to add, one per line")).toHaveValue(/ole@wingtip\.com/);
  await page.getByRole("button", { name: "Add everyone" }).click();
  await expect(page.getByText("Added 2 people; their invitations are on their way.")).toBeVisible();
  await expect(page.getByLabel("People to add, one per line")).toHaveValue("");
  expect(await latestMailText("mia@wingtip.com")).toContain("/invitation/");
  expect(await latestMailText("ole@wingtip.com")).toContain("/invitation/");

  await page.goto("/admin/people?status=invited");
  await expect(page.getByRole("link", { name: "Mia Holm", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Ole Dahl", exact: true })).toBeVisible();
});

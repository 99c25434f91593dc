import { Browser, Page } from "@playwright/test";
import { test, expect } from "./support/test";
import { hydrated, signUp } from "./support/accounts";
import { sql } from "./support/db";

async function member(browser: Browser, email: string, name: string, timezoneId?: string): Promise<Page> {
  const page = await (await browser.newContext({ timezoneId })).newPage();
  await signUp(page, email, name);
  return page;
}

/** Creates a meeting from the Meetings page and returns its join link. */
async function createMeeting(page: Page, title: string): Promise<string> {
  await page.goto("/meetings");
  await hydrated(page);
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Starts at").fill("2030-01-15T10:00");
  await page.getByRole("button", { name: "Create meeting" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  return page.url();
}

async function join(page: Page, link: string) {
  await page.goto(link);
  await hydrated(page);
  await page.getByRole("button", { name: "Join meeting" }).click();
}

const people = (page: Page) => page.getByRole("list", { name: /In the meeting/ });

test("two people in one meeting see each other arrive and leave, live", async ({ browser }) => {
  const lee = await member(browser, "lee@woodgrove.com", "Lee Gu", "Europe/Amsterdam");
  const nina = await member(browser, "nina@woodgrove.com", "Nina Berg");
  const link = await createMeeting(lee, "Design review");
  await expect(lee.getByText(link)).toBeVisible();
  // 10:00 in Amsterdam in January is 09:00 UTC; the page shows it in the browser's own time.
  const start = lee.locator('time[datetime="2030-01-15T09:00:00Z"]');
  await hydrated(lee);
  await expect(start).toContainText("10:00");
  await expect(start).toContainText("2030");
  await hydrated(lee);
  await lee.getByRole("button", { name: "Join meeting" }).click();
  await expect(lee.getByText("You are in the meeting.")).toBeVisible();
  await expect(people(lee).getByText("Lee Gu")).toBeVisible();

  // Nina pastes the link she was sent on her Meetings page.
  await nina.goto("/meetings");
  await hydrated(nina);
  await nina.getByLabel("Meeting link or code").fill(link);
  await nina.getByRole("button", { name: "Go to the meeting" }).click();
  await expect(nina.getByRole("heading", { level: 1, name: "Design review" })).toBeVisible();
  expect(nina.url()).toBe(link);
  await hydrated(nina);
  await nina.getByRole("button", { name: "Join meeting" }).click();
  await expect(people(nina).getByText("Lee Gu")).toBeVisible();
  await expect(people(lee).getByText("Nina Berg")).toBeVisible();
  await expect(lee.getByRole("heading", { name: "In the meeting: 2 of 10" })).toBeVisible();

  await nina.getByRole("button", { name: "Leave meeting" }).click();
  await expect(people(lee).getByText("Nina Berg")).toHaveCount(0);
  await expect(lee.getByRole("heading", { name: "In the meeting: 1 of 10" })).toBeVisible();

  await lee.goto("/meetings");
  await expect(lee.getByRole("link", { name: "Design review" })).toBeVisible();

  // The personal room carries the personal room name and keeps its link.
  await hydrated(lee);
  await lee.getByLabel("Personal room name").fill("Lee's studio");
  await lee.getByRole("button", { name: "Save settings" }).click();
  await expect(lee.getByText("Settings saved.")).toBeVisible();
  await expect(lee.getByRole("button", { name: "Save settings" })).toBeFocused();
  await lee.getByRole("button", { name: "Open your personal room" }).click();
  await expect(lee.getByRole("heading", { level: 1, name: "Lee's studio" })).toBeVisible();
  const room = lee.url();
  await lee.goto("/meetings");
  await hydrated(lee);
  await lee.getByRole("button", { name: "Open your personal room" }).click();
  await expect(lee.getByRole("heading", { level: 1, name: "Lee's studio" })).toBeVisible();
  expect(lee.url()).toBe(room);
});

test("61 days after its organizer signed up, a free meeting refuses the fourth with the Upgrade offer", async ({ browser }) => {
  const ola = await member(browser, "ola@woodgrove.com", "Ola Nordmann");
  sql("update members set created_at = created_at - interval '61 days' where email = 'ola@woodgrove.com'");
  const link = await createMeeting(ola, "Budget");
  await hydrated(ola);
  await ola.getByRole("button", { name: "Join meeting" }).click();
  await expect(ola.getByRole("heading", { name: "In the meeting: 1 of 3" })).toBeVisible();

  const others = [];
  for (const [email, name] of [["pia@woodgrove.com", "Pia Lind"], ["raj@woodgrove.com", "Raj Patel"]]) {
    const page = await member(browser, email, name);
    await join(page, link);
    await expect(people(page).getByText(name)).toBeVisible();
    others.push(page);
  }
  await expect(ola.getByRole("heading", { name: "In the meeting: 3 of 3" })).toBeVisible();

  const sam = await member(browser, "sam@woodgrove.com", "Sam Berg");
  await join(sam, link);
  const refusal = sam.getByRole("alert");
  await expect(refusal).toContainText("This meeting is full: it admits at most 3 participants");
  await expect(refusal.getByRole("button", { name: "Upgrade" })).toBeVisible();
  await expect(people(ola).getByText("Sam Berg")).toHaveCount(0);

  // Once someone leaves, the refusal gives way to the free place, and Sam gets in.
  await others[0].getByRole("button", { name: "Leave meeting" }).click();
  await expect(sam.getByText("A place has come free: you can join now.")).toBeVisible();
  await expect(sam.getByRole("alert")).toHaveCount(0);
  await sam.getByRole("button", { name: "Join meeting" }).click();
  await expect(people(ola).getByText("Sam Berg")).toBeVisible();
});

test("a guest joins by name, waits in the lobby, and is in once the organizer admits them", async ({ browser }) => {
  const una = await member(browser, "una@fourthcoffee.com", "Una Berg");
  await una.goto("/meetings");
  await hydrated(una);
  await una.getByLabel("Title", { exact: true }).fill("Supplier call");
  await una.getByLabel("Starts at").fill("2030-01-15T10:00");
  await una.getByLabel("Guests without an account may join by name").check();
  await una.getByRole("button", { name: "Create meeting" }).click();
  await expect(una.getByRole("heading", { level: 1, name: "Supplier call" })).toBeVisible();
  const link = una.url();
  await hydrated(una);
  await una.getByRole("button", { name: "Join meeting" }).click();
  await expect(una.getByText("You are in the meeting.")).toBeVisible();

  // People outside the organization wait in the lobby: that is the default setting.
  const gus = await (await browser.newContext()).newPage();
  await gus.goto(link);
  await hydrated(gus);
  await gus.getByLabel("Your name").fill("Gus Guest");
  await gus.getByRole("button", { name: "Join meeting" }).click();
  await expect(gus.getByText("You are in the lobby. The organizer will let you in.")).toBeVisible();
  await expect(people(gus)).toHaveCount(0);

  await una.getByRole("button", { name: "Admit Gus Guest" }).click();
  await expect(gus.getByText("You are in the meeting.")).toBeVisible();
  await expect(people(gus).getByText("Una Berg")).toBeVisible();
  await expect(people(una).getByText("Gus Guest")).toBeVisible();
});

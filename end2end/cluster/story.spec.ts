import { Page } from "@playwright/test";
import { test, expect } from "../tests/support/test";
import * as fs from "fs";
import * as path from "path";
import { hydrated, sendSignIn, signUp, visit } from "../tests/support/accounts";
import { becomeAdmin } from "../tests/support/admin";
import { clusterDir } from "../cluster.config";

const people = (page: Page) => page.getByRole("list", { name: /In the meeting/ });

/** Which server (as HAProxy names it) answered each live feed request `page` made, in order. */
function followFeeds(page: Page): string[] {
  const servers: string[] = [];
  page.on("response", (response) => {
    if (response.url().includes("/live/meetings/")) servers.push(response.headers()["x-served-by"] ?? "none");
  });
  return servers;
}

/** Sends `signal` to the server HAProxy calls `name` (tenantry1..3), as an operator would. */
function signalServer(name: string, signal: NodeJS.Signals) {
  const pid = Number(fs.readFileSync(path.join(clusterDir, `${name.replace("tenantry", "server-")}.pid`), "utf8"));
  process.kill(pid, signal);
}

const last = (servers: string[]) => servers[servers.length - 1];

test("the seed story through HAProxy goes on while one server is killed and another stopped", async ({ browser }) => {
  const rob = await (await browser.newContext()).newPage();
  const sara = await (await browser.newContext()).newPage();
  const robsFeeds = followFeeds(rob);

  await signUp(rob, "rob@contoso.com", "Rob Young");
  await signUp(sara, "sara@contoso.com", "Sara Davis");

  await visit(rob, "/meetings");
  await rob.getByLabel("Title", { exact: true }).fill("Launch plan");
  await rob.getByLabel("Starts at").fill("2030-01-15T10:00");
  await rob.getByRole("button", { name: "Create meeting" }).click();
  await expect(rob.getByRole("heading", { level: 1, name: "Launch plan" })).toBeVisible();
  const link = rob.url();
  await hydrated(rob);
  await rob.getByRole("button", { name: "Join meeting" }).click();
  await expect(people(rob).getByText("Rob Young")).toBeVisible();
  await visit(sara, link);
  await sara.getByRole("button", { name: "Join meeting" }).click();
  await expect(people(rob).getByText("Sara Davis")).toBeVisible();
  await expect(people(sara).getByText("Rob Young")).toBeVisible();

  // The server holding Rob's live page dies without a word.
  await expect.poll(() => robsFeeds.length).toBeGreaterThan(0);
  const killed = last(robsFeeds);
  signalServer(killed, "SIGKILL");
  await expect.poll(() => last(robsFeeds), { timeout: 30_000 }).not.toBe(killed);
  // The page follows the meeting again from another server: Sara leaving shows, and so does
  // her coming back; Rob stays in throughout.
  await sara.getByRole("button", { name: "Leave meeting" }).click();
  await expect(people(rob).getByText("Sara Davis")).toHaveCount(0);
  await hydrated(sara);
  await sara.getByRole("button", { name: "Join meeting" }).click();
  await expect(people(rob).getByText("Sara Davis")).toBeVisible();
  await expect(people(rob).getByText("Rob Young")).toBeVisible();

  // The server now holding it is stopped as an orchestrator stops one: it ends its live pages,
  // which move to the last server with the roster intact.
  const stopped = last(robsFeeds);
  signalServer(stopped, "SIGTERM");
  await expect.poll(() => last(robsFeeds), { timeout: 30_000 }).not.toBe(stopped);
  await sara.getByRole("button", { name: "Leave meeting" }).click();
  await expect(people(rob).getByText("Sara Davis")).toHaveCount(0);
  await expect(people(rob).getByText("Rob Young")).toBeVisible();

  // On the one server left: the wizard with its DNS proof, the purchase, the licensing page.
  await becomeAdmin(rob, "contoso.com", 2);
  // Both members hold a license: two bought, two assigned, none left.
  const row = rob.getByRole("row", { name: /Business Basic/ });
  await expect(row.getByRole("cell").nth(0)).toHaveText("2");
  await expect(row.getByRole("cell").nth(1)).toHaveText("2");
  await expect(row.getByRole("cell").nth(2)).toHaveText("0");
  await rob.goto("/admin/people");
  await expect(rob.getByRole("link", { name: "Rob Young", exact: true })).toBeVisible();
  await expect(rob.getByRole("link", { name: "Sara Davis", exact: true })).toBeVisible();

  // Nothing acknowledged before the faults was lost: Sara signs in again with her password.
  const again = await (await browser.newContext()).newPage();
  await visit(again, "/signin");
  await sendSignIn(again, "sara@contoso.com");
  await expect(again.getByRole("heading", { level: 1, name: "Your apps" })).toBeVisible();
});

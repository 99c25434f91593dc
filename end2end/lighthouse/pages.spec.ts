import { test, expect, Page } from "@playwright/test";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { signUp } from "../tests/support/accounts";
import { becomeAdmin } from "../tests/support/admin";

// Lighthouse's defaults: a mobile phone, simulated slow 4G and a 4x slower CPU.
const lighthouse = process.env.LIGHTHOUSE_BIN ?? "lighthouse";
const out = process.env.LIGHTHOUSE_OUT ?? path.join(os.tmpdir(), "lighthouse.json");

type Figures = { page: string; path: string; score: number; lcpMs: number; tbtMs: number; cls: number };

/** Runs Lighthouse on `pagePath` with the cookies `page`'s browser holds, so it sees what they see. */
async function measure(page: Page, name: string, pagePath: string): Promise<Figures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lighthouse-"));
  const cookies = await page.context().cookies();
  const headers = path.join(dir, "headers.json");
  fs.writeFileSync(headers, JSON.stringify(
    cookies.length ? { Cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") } : {},
  ));
  const report = path.join(dir, "report.json");
  const url = new URL(pagePath, test.info().project.use.baseURL).toString();
  execFileSync(lighthouse, [
    url,
    "--quiet",
    "--only-categories=performance",
    "--output=json",
    `--output-path=${report}`,
    `--extra-headers=${headers}`,
    "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
  ], { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" }, stdio: "inherit" });
  const result = JSON.parse(fs.readFileSync(report, "utf8"));
  fs.rmSync(dir, { recursive: true });
  expect(result.finalDisplayedUrl, `Lighthouse measured ${url} and was sent elsewhere`).toBe(url);
  return {
    page: name,
    path: pagePath,
    score: Math.round(result.categories.performance.score * 100),
    lcpMs: Math.round(result.audits["largest-contentful-paint"].numericValue),
    tbtMs: Math.round(result.audits["total-blocking-time"].numericValue),
    cls: Number(result.audits["cumulative-layout-shift"].numericValue.toFixed(3)),
  };
}

test("Lighthouse on the landing, sign-in, wizard and licensing pages", async ({ page }) => {
  // A zone of the test DNS server; bench/lighthouse.sh gives the server a fresh database each run.
  const domain = "wingtip.com";
  const figures: Figures[] = [];
  figures.push(await measure(page, "landing", "/"));
  figures.push(await measure(page, "sign-in", "/signin"));

  await signUp(page, `megan@${domain}`, "Megan Bowen");
  await page.getByRole("list", { name: "Apps" }).getByRole("link", { name: /^Admin/ }).click();
  await page.getByRole("button", { name: "Become the admin" }).click();
  await expect(page.getByTestId("txt-value")).toBeVisible();
  figures.push(await measure(page, "wizard", "/admin/wizard"));

  await becomeAdmin(page, domain, 1);
  figures.push(await measure(page, "licensing", "/admin/licenses"));
  fs.writeFileSync(out, JSON.stringify(figures, null, 2));
});

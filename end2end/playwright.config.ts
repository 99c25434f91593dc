import { defineConfig } from "@playwright/test";
import * as path from "path";

// The release server, started on a fresh database by scripts/test.sh (which sets the env).
const addr = process.env.LEPTOS_SITE_ADDR ?? "127.0.0.1:3100";
const baseURL = `http://${addr}`;
// Mail goes to a real SMTP server on loopback that stores each message as a file.
export const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 2526);
export const mailDir = process.env.E2E_MAIL_DIR ?? path.join(__dirname, ".mail");
// Domain checks ask a real BIND on loopback; tests edit its zones with nsupdate.
const dnsPort = Number(process.env.E2E_DNS_PORT ?? 15353);
export const dnsDir = process.env.E2E_DNS_DIR ?? path.join(__dirname, ".dns");
export const dnsServer = `127.0.0.1:${dnsPort}`;

/** The DNS and SMTP servers every run needs, on loopback, fresh each run. */
export const dnsAndMail = [
  {
    command: `../scripts/dns-test-server.sh ${dnsDir} ${dnsPort}`,
    port: dnsPort,
    reuseExistingServer: false,
    timeout: 30_000,
  },
  {
    command: `../scripts/smtp-sink.py 127.0.0.1 ${smtpPort} ${mailDir}`,
    port: smtpPort,
    reuseExistingServer: false,
    timeout: 30_000,
  },
];

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: process.env.CI ? "line" : "list",
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: [
    ...dnsAndMail,
    {
      command: "../target/release/server",
      url: `${baseURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? "",
        LEPTOS_SITE_ADDR: addr,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        DNS_NAMESERVERS: dnsServer,
        // The offline test cards; the server refuses them behind an https:// address.
        PAYMENTS: "test",
      },
    },
  ],
});

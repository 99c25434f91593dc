import { defineConfig } from "@playwright/test";
import * as path from "path";
import base, { dnsAndMail, dnsServer, smtpPort } from "./playwright.config";

// Three release servers on one database behind HAProxy (scripts/cluster.sh), started by
// scripts/test.sh on a database of its own; the browser only ever talks to HAProxy.
const port = Number(process.env.E2E_CLUSTER_PORT ?? 3200);
export const clusterDir = process.env.E2E_CLUSTER_DIR ?? path.join(__dirname, ".cluster");

export default defineConfig({
  ...base,
  testDir: "./cluster",
  timeout: 120_000,
  use: { ...base.use, baseURL: `http://127.0.0.1:${port}` },
  webServer: [
    ...dnsAndMail,
    {
      command: `../scripts/cluster.sh ${clusterDir} ${port}`,
      url: `http://127.0.0.1:${port}/readyz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        DATABASE_URL: process.env.E2E_CLUSTER_DATABASE_URL ?? "",
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        DNS_NAMESERVERS: dnsServer,
        PAYMENTS: "test",
      },
    },
  ],
});

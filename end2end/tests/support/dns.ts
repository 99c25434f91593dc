import { execFileSync } from "child_process";
import * as path from "path";
import { dnsDir, dnsServer } from "../../playwright.config";

/** Adds a TXT record at the test DNS server through its own update mechanism (nsupdate + TSIG). */
export function addTxt(zone: string, name: string, value: string) {
  const [host, port] = dnsServer.split(":");
  const commands = [
    `server ${host} ${port}`,
    `zone ${zone}.`,
    `update add ${name}. 60 TXT "${value}"`,
    "send",
    "",
  ].join("\n");
  execFileSync("nsupdate", ["-k", path.join(dnsDir, "tsig.key")], { input: commands });
}

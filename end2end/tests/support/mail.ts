import * as fs from "fs";
import * as path from "path";
import { mailDir } from "../../playwright.config";

/** The newest message delivered to `recipient` by the SMTP sink, waiting for it to arrive. */
export async function latestMail(recipient: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const files = fs.existsSync(mailDir)
      ? fs.readdirSync(mailDir).filter((name) => name.endsWith(".eml")).sort().reverse()
      : [];
    for (const name of files) {
      const text = fs.readFileSync(path.join(mailDir, name), "utf8");
      if (text.startsWith(`X-Envelope-To: ${recipient}\r\n`)) return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no mail for ${recipient} within ${timeoutMs} ms`);
}

/** The six-digit code in the newest mail to `recipient`. */
export async function latestCode(recipient: string): Promise<string> {
  const mail = await latestMail(recipient);
  const subject = mail.split("\r\n").find((line) => line.startsWith("Subject:")) ?? "";
  const code = subject.match(/\b(\d{6})\b/);
  if (!code) throw new Error(`no code in: ${subject}`);
  return code[1];
}

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

/** The text of the newest message to `recipient`, decoded from its transfer encoding. */
export async function latestMailText(recipient: string): Promise<string> {
  const mail = await latestMail(recipient);
  const split = mail.indexOf("\r\n\r\n");
  const headers = mail.slice(0, split);
  const body = mail.slice(split + 4);
  const encoding = headers.match(/^Content-Transfer-Encoding:\s*(\S+)/im)?.[1]?.toLowerCase();
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const bytes = body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

/** A header of the newest message to `recipient`, such as `From` or `Reply-To`. */
export async function latestMailHeader(recipient: string, name: string): Promise<string> {
  const mail = await latestMail(recipient);
  const headers = mail.slice(0, mail.indexOf("\r\n\r\n")).replace(/\r\n[ \t]+/g, " ");
  const line = headers.split("\r\n").find((header) => header.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim() ?? "";
}

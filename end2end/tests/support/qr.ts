import { Locator } from "@playwright/test";
import jsQR from "jsqr";
import { PNG } from "pngjs";

/** Reads the text a QR code on the page carries, from a screenshot of it, as a phone camera would. */
export async function readQr(code: Locator): Promise<string> {
  const image = PNG.sync.read(await code.screenshot());
  const found = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!found) throw new Error("no QR code could be read from the image");
  return found.data;
}

import { test as base, expect, Browser, BrowserContext } from "@playwright/test";

/** Playwright's `test`, failing any test in whose pages a script error was thrown: a panic in
 * the WebAssembly stops the page from working, even when the page still looks right. */
export const test = base.extend<{ noScriptErrors: void }>({
  noScriptErrors: [
    async ({ browser, context }, use) => {
      const errors: string[] = [];
      const watch = (watched: BrowserContext) => {
        watched.on("weberror", (error) => errors.push(`${error.page()?.url() ?? ""}: ${error.error().message}`));
        // A Rust panic says where it happened on the console before the script stops.
        watched.on("console", (message) => {
          if (message.type() === "error" && message.text().startsWith("panicked at")) {
            errors.push(`${message.page()?.url() ?? ""}: ${message.text().split("\n\nStack:")[0]}`);
          }
        });
      };
      watch(context);
      // Most tests open a context per person.
      const newContext = browser.newContext.bind(browser);
      (browser as Browser).newContext = async (options) => {
        const opened = await newContext(options);
        watch(opened);
        return opened;
      };
      await use();
      browser.newContext = newContext;
      expect(errors, "script errors in the pages").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

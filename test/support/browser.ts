// A real headless Chromium (Debian's, driven by playwright-core) that does what a person does on
// the device sign-in page: open it, type the code, confirm the account.
import { chromium } from "playwright-core";

const CHROMIUM = process.env.AZCP_CHROMIUM ?? "/usr/bin/chromium";

export async function approveDeviceCodeInBrowser(verificationUri: string, userCode: string): Promise<string> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    // The emulator's certificate comes from the test CA, which this browser does not know.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(verificationUri);
    await page.fill("#otc", userCode);
    await page.click("#next");
    await page.waitForSelector("#continue");
    await page.click("#continue");
    return (await page.textContent("#done")) ?? "";
  } finally {
    await browser.close();
  }
}

// Debian's Chromium, headless, driven by playwright-core. No browser is downloaded: scripts/install-deps.sh
// installs the 'chromium' package.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchChromium() {
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} not found: install Debian's chromium (scripts/install-deps.sh chromium) or set CHROMIUM_PATH.`);
  }

  // Playwright gives each launch a fresh temporary profile; the flags keep Chromium off the network except
  // for the pages the test opens.
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

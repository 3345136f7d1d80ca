import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

/*
 * Browser tests of the portal, in Debian's Chromium (never a downloaded browser).
 * `npm test` builds the app first and brings up the test platform, whose git remote
 * (:28930) builds every push to main; Playwright starts the backend, which serves the
 * built app on a port of its own (app-config.e2e.yaml) and receives those builds.
 */
const backendUrl = 'http://localhost:17007';

export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],
  outputDir: 'node_modules/.cache/e2e-test-results',

  webServer: [
    {
      // The backend's log goes to a file that scripts/test.sh shows when a test fails.
      command:
        'yarn workspace backend start --config ../../app-config.yaml --config ../../app-config.e2e.yaml --config ../../.paved/test-run/app-config.platform.yaml > .paved/test-run/logs/e2e-backend.log 2>&1',
      url: `${backendUrl}/.backstage/health/v1/readiness`,
      reuseExistingServer: !!process.env.PAVED_E2E_REUSE_SERVERS,
      timeout: 180_000,
    },
  ],

  use: {
    baseURL: backendUrl,
    viewport: { width: 1600, height: 1000 },
    channel: undefined,
    launchOptions: {
      executablePath: process.env.PAVED_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});

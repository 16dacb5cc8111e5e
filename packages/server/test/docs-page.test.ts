/**
 * The API reference page in a real browser (Debian's Chromium through playwright-core): it
 * renders every operation of the OpenAPI document, filters as one types, and fetches nothing
 * from anywhere but this server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, hasChromium, systemPart } from '../../../testing/system.js';
import { type RunningServer, startServer } from '../src/index.js';
import { apiClient } from './http.js';

describe('API reference page', () => {
  if (!systemPart('Chromium', hasChromium(), 'apt-get install chromium')) return;

  let server: RunningServer;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-docs-'));
    server = await startServer({
      database: join(dir, 'palisade.sqlite'),
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      adminPassword: 'docs-admin-password',
      webRoot: null,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders every operation, filters, and loads nothing from elsewhere', async () => {
    const document = await apiClient(server.url).get<{
      paths: Record<string, Record<string, unknown>>;
    }>('/api/openapi.json');
    const operations = Object.values(document.body.paths).reduce(
      (count, methods) => count + Object.keys(methods).length,
      0,
    );
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${server.url}/api/docs`);
    await page.waitForSelector('details');
    expect(await page.locator('details').count()).toBe(operations);
    await expect(
      page.locator('details:has-text("/api/v1/policies/{id}/revert")').count(),
    ).resolves.toBe(1);

    await page.fill('#filter', 'revert');
    expect(await page.locator('details:visible').count()).toBe(1);
    await page.locator('details:visible summary').click();
    const body = (await page.locator('details:visible .body').textContent()) ?? '';
    expect(body).toContain('Request body');
    expect(body).toContain('version');

    expect(requested.every((url) => url.startsWith(server.url))).toBe(true);
    await page.close();
  });
});

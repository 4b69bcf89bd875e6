/**
 * The README screenshot (docs/sidebar.png). Runs only with REES_SCREENSHOT=1:
 *   cd ui-tests && REES_SCREENSHOT=1 npx playwright test screenshot
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import { makeLargeProject } from './large-project';

const DEMO = path.resolve(__dirname, '../../examples/demo');
const DOCS = path.resolve(__dirname, '../../docs');

test.use({ viewport: { width: 1280, height: 800 } });

for (const theme of ['light', 'dark']) {
  test(`sidebar screenshot (${theme})`, async ({ page, tmpPath }) => {
    test.skip(!process.env.REES_SCREENSHOT, 'set REES_SCREENSHOT=1 to refresh docs/');
    await page.contents.uploadDirectory(DEMO, tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    await page.notebook.openByPath(`${tmpPath}/01-load-data.ipynb`);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:open');
    });
    const sidebar = page.locator('#jp-rees-sidebar');
    await sidebar.getByRole('button', { name: 'Scan' }).click();
    await expect(sidebar.locator('.jp-rees-requirement')).toHaveCount(3, {
      timeout: 60000
    });
    await page.sidebar.setWidth(380, 'left');
    await sidebar.locator('.jp-rees-used-in summary').first().click();
    await sidebar.getByRole('button', { name: 'Preview REES' }).click();
    await expect(sidebar.locator('.jp-rees-preview-section')).toBeVisible();
    const name = theme === 'light' ? 'sidebar.png' : 'sidebar-dark.png';
    await page.screenshot({ path: path.join(DOCS, name) });
  });
}

test('written screenshot', async ({ page, tmpPath }) => {
  test.skip(!process.env.REES_SCREENSHOT, 'set REES_SCREENSHOT=1 to refresh docs/');
  await page.contents.uploadDirectory(DEMO, tmpPath);
  await page.filebrowser.openDirectory(tmpPath);
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('jupyter-rees-ui:scan-folder');
  });
  const sidebar = page.locator('#jp-rees-sidebar');
  await expect(sidebar.locator('.jp-rees-requirement')).toHaveCount(3, { timeout: 60000 });
  await page.sidebar.setWidth(380, 'left');
  await sidebar.getByRole('button', { name: 'Preview REES' }).click();
  await sidebar.locator('.jp-rees-write').click();
  await expect(sidebar.locator('.jp-rees-written')).toBeVisible();
  await sidebar.locator('.jp-rees-written').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(DOCS, 'sidebar-written.png') });
});

for (const theme of ['light', 'dark']) {
  test(`250 px sidebar on a large project (${theme})`, async ({ page, tmpPath }) => {
    test.skip(!process.env.REES_SCREENSHOT, 'set REES_SCREENSHOT=1 to refresh docs/');
    await makeLargeProject(page, tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:scan-folder');
    });
    const sidebar = page.locator('#jp-rees-sidebar');
    await expect(sidebar.locator('.jp-rees-summary')).toBeVisible({ timeout: 60000 });
    await page.sidebar.setWidth(250, 'left');
    const bio = sidebar.locator('.jp-rees-requirement[data-name="biopython"]');
    await bio.locator('.jp-rees-used-in summary').click();
    const name = theme === 'light' ? 'sidebar-250.png' : 'sidebar-250-dark.png';
    await page.screenshot({
      path: path.join(DOCS, name),
      clip: { x: 0, y: 0, width: 300, height: 800 }
    });
  });
}

for (const theme of ['light', 'dark']) {
  test(`Binder card at 250 px (${theme})`, async ({ page, tmpPath }) => {
    test.skip(!process.env.REES_SCREENSHOT, 'set REES_SCREENSHOT=1 to refresh docs/');
    await page.contents.uploadDirectory(DEMO, tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:scan-folder');
    });
    const sidebar = page.locator('#jp-rees-sidebar');
    await expect(sidebar.locator('.jp-rees-requirement')).toHaveCount(3, { timeout: 60000 });
    await page.sidebar.setWidth(250, 'left');
    await sidebar.getByRole('button', { name: 'Binder badge' }).click();
    const card = sidebar.locator('.jp-rees-binder-card');
    await card.getByLabel('DOI').fill('10.5281/zenodo.1234567');
    await card.getByLabel('DOI').press('Enter');
    await expect(card.locator('.jp-rees-badge-text')).toHaveValue(/zenodo/);
    await card.locator('.jp-rees-variants summary').click();
    await card.locator('h3').scrollIntoViewIfNeeded();
    await card.evaluate(node => node.scrollIntoView({ block: 'start' }));
    const name = theme === 'light' ? 'binder-card-250.png' : 'binder-card-250-dark.png';
    await page.screenshot({
      path: path.join(DOCS, name),
      clip: { x: 0, y: 0, width: 300, height: 800 }
    });
  });
}

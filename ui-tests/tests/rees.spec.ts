import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import { readText } from './contents';

const DEMO = path.resolve(__dirname, '../../examples/demo');
const SIDEBAR = '#jp-rees-sidebar';

test.describe('Make reproducible sidebar', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await page.contents.uploadDirectory(DEMO, tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
  });

  test('scans the demo, previews and writes a binder/ folder', async ({
    page,
    tmpPath
  }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:open');
    });
    const sidebar = page.locator(SIDEBAR);
    await expect(sidebar).toBeVisible();

    // The folder defaults to the file browser's current one.
    const folder = sidebar.locator('#jp-rees-folder-input');
    await expect(folder).toHaveValue(tmpPath);

    await sidebar.getByRole('button', { name: 'Scan' }).click();
    const rows = sidebar.locator('.jp-rees-requirement');
    await expect(rows).toHaveCount(3, { timeout: 60000 });
    const names = await sidebar.locator('.jp-rees-name').allTextContents();
    expect(names.map(n => n.toLowerCase()).sort()).toEqual([
      'matplotlib',
      'numpy',
      'pandas'
    ]);
    // The local helper module is not proposed.
    await expect(sidebar.locator('.jp-rees-name', { hasText: 'sales' })).toHaveCount(0);

    await sidebar.getByRole('button', { name: 'Preview REES' }).click();
    await expect(sidebar.locator('.jp-rees-preview-section')).toContainText(
      'binder/requirements.txt: new file'
    );
    expect(await page.contents.fileExists(`${tmpPath}/binder/requirements.txt`)).toBe(false);

    await sidebar.locator('.jp-rees-write').click();
    await expect(sidebar.locator('.jp-rees-written')).toContainText('REES written');

    const requirements = await readText(page, `${tmpPath}/binder/requirements.txt`);
    const lines = requirements
      .split('\n')
      .filter(line => line && !line.startsWith('#'))
      .map(line => line.split('==')[0].toLowerCase())
      .sort();
    expect(lines).toEqual(['matplotlib', 'numpy', 'pandas']);
    expect(await page.contents.fileExists(`${tmpPath}/binder/runtime.txt`)).toBe(true);
  });

  test('an excluded row is not written', async ({ page, tmpPath }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:open');
    });
    const sidebar = page.locator(SIDEBAR);
    await sidebar.locator('#jp-rees-folder-input').press('Enter');
    await expect(sidebar.locator('.jp-rees-requirement')).toHaveCount(3, {
      timeout: 60000
    });
    await sidebar.getByLabel('Include matplotlib').uncheck();
    await sidebar.getByRole('button', { name: 'Preview REES' }).click();
    const preview = sidebar.locator('.jp-rees-preview-section');
    await expect(preview).toContainText('numpy==');
    await expect(preview).not.toContainText('matplotlib==');
  });
});

test.describe('Make reproducible sidebar links', () => {
  test('a site opens the notebook at the importing cell', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadDirectory(DEMO, tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:scan-folder');
    });
    const sidebar = page.locator(SIDEBAR);
    const matplotlib = sidebar.locator('.jp-rees-requirement[data-name="matplotlib"]');
    await expect(matplotlib).toBeVisible({ timeout: 60000 });
    await matplotlib.locator('.jp-rees-used-in summary').click();
    await matplotlib.getByRole('button', { name: /02-plots\.ipynb · cell 2, line 2/ }).click();
    await expect(page.locator('.jp-NotebookPanel:visible .jp-Cell.jp-mod-active')).toContainText(
      'import matplotlib.pyplot as plt'
    );
    expect(await page.activity.isTabActive('02-plots.ipynb')).toBe(true);
  });
});

test.describe('Make reproducible sidebar errors', () => {
  test('a folder outside the server root gets a clear error', async ({ page }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:open');
    });
    const sidebar = page.locator(SIDEBAR);
    const folder = sidebar.locator('#jp-rees-folder-input');
    await folder.fill('../');
    await folder.press('Enter');
    await expect(sidebar.getByRole('alert')).toContainText('outside the server root');
    // The panel stays usable: a valid folder scans after the error.
    await folder.fill('');
    await folder.press('Enter');
    await expect(sidebar.getByRole('alert')).toHaveCount(0, { timeout: 60000 });
  });
});

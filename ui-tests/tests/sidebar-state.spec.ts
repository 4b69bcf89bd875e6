/**
 * The sidebar keeps up: the proposal comes back after a reload, saving a notebook of the
 * scanned folder scans it again and marks what changed, a scan can be cancelled.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import { makeLargeProject } from './large-project';

const DEMO = path.resolve(__dirname, '../../examples/demo');
const SIDEBAR = '#jp-rees-sidebar';

test.describe('Make reproducible sidebar state', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await page.contents.uploadDirectory(DEMO, tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:scan-folder');
    });
    await expect(page.locator(`${SIDEBAR} .jp-rees-requirement`)).toHaveCount(3, {
      timeout: 60000
    });
  });

  test('the proposal comes back after a reload', async ({ page }) => {
    await page.locator(SIDEBAR).getByLabel('Include pandas').uncheck();
    await page.waitForTimeout(1500); // saved a second after the last change
    await page.reload();
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:open');
    });
    const sidebar = page.locator(SIDEBAR);
    await expect(sidebar.locator('.jp-rees-requirement')).toHaveCount(3);
    await expect(sidebar.getByLabel('Include pandas')).not.toBeChecked();
  });

  test('saving a notebook scans again and marks what changed', async ({ page, tmpPath }) => {
    const sidebar = page.locator(SIDEBAR);
    const numpy = sidebar.locator('.jp-rees-requirement[data-name="numpy"]');
    await numpy.locator('.jp-rees-used-in summary').click();
    await expect(numpy.locator('.jp-rees-sites')).toBeVisible();
    await page.evaluate(async folder => {
      await window.jupyterapp.serviceManager.contents.save(`${folder}/04-more.ipynb`, {
        type: 'notebook',
        format: 'json',
        content: {
          cells: [
            {
              cell_type: 'code',
              metadata: {},
              source: 'import numpy\nimport packaging.version',
              outputs: [],
              execution_count: null
            }
          ],
          metadata: { language_info: { name: 'python' } },
          nbformat: 4,
          nbformat_minor: 5
        }
      });
    }, tmpPath);
    await expect(sidebar.locator('.jp-rees-requirement[data-name="packaging"]')).toHaveClass(
      /jp-mod-changed/,
      { timeout: 30000 }
    );
    await expect(numpy).toHaveClass(/jp-mod-changed/);
    await expect(sidebar.locator('.jp-rees-requirement[data-name="pandas"]')).not.toHaveClass(
      /jp-mod-changed/
    );
    // A new scan closes the "used in" lists.
    await expect(numpy.locator('.jp-rees-sites')).toBeHidden();
  });
});

test.describe('Cancelling a scan', () => {
  test('stops the scan on the server too', async ({ page, tmpPath }) => {
    const probe = await page.request.post('/jupyter-rees-ui/scan', {
      data: { path: '../outside' }
    });
    test.skip(probe.status() === 404, 'this server has no jobs API');
    await makeLargeProject(page, tmpPath, 300, 150);
    await page.filebrowser.openDirectory(tmpPath);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:open');
    });
    const sidebar = page.locator(SIDEBAR);
    const started = page.waitForResponse(
      response =>
        new URL(response.url()).pathname.endsWith('/jupyter-rees-ui/scan') &&
        response.request().method() === 'POST'
    );
    await sidebar.getByRole('button', { name: 'Scan' }).click();
    const job = (await (await started).json()).job;
    await expect(sidebar.getByRole('progressbar')).toBeVisible();
    await sidebar.getByRole('button', { name: 'Cancel scan' }).click();
    await expect(sidebar.locator('.jp-rees-note', { hasText: 'Scan cancelled' })).toBeVisible();
    await expect(sidebar.getByRole('progressbar')).toHaveCount(0);
    const state = await page.request.get(`/jupyter-rees-ui/jobs/${job.id}`);
    expect((await state.json()).state).toBe('cancelled');
    await expect(sidebar.locator('.jp-rees-requirement')).toHaveCount(0);
  });
});

import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const DEMO = path.resolve(__dirname, '../../examples/demo');
const SIDEBAR = '#jp-rees-sidebar';

/** A notebook whose second cell imports a module nothing provides. */
const EXTRA = JSON.stringify({
  cells: [
    { cell_type: 'markdown', metadata: {}, source: ['# Extra'] },
    {
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: ['import pandas\n', 'import tinymissingmodule_for_rees']
    }
  ],
  metadata: {
    kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }
  },
  nbformat: 4,
  nbformat_minor: 5
});

test.describe('Verify the REES', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await page.contents.uploadDirectory(DEMO, tmpPath);
    await page.contents.uploadContent(EXTRA, 'text', `${tmpPath}/04-extra.ipynb`);
    await page.filebrowser.openDirectory(tmpPath);
  });

  test('after Write, Verify rebuilds the REES and links the failing cell', async ({
    page
  }) => {
    test.setTimeout(180000);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:open');
    });
    const sidebar = page.locator(SIDEBAR);
    await sidebar.getByRole('button', { name: 'Scan' }).click();
    await expect(sidebar.getByRole('button', { name: 'Preview REES' })).toBeVisible({
      timeout: 60000
    });
    await sidebar.getByRole('button', { name: 'Preview REES' }).click();
    await sidebar.locator('.jp-rees-write').click();
    await expect(sidebar.locator('.jp-rees-written')).toContainText('REES written');

    const card = sidebar.locator('.jp-rees-verify');
    await expect(card).toBeVisible();
    await card.getByRole('button', { name: 'Verify', exact: true }).click();
    // Live progress with a Cancel button while the environment is built.
    await expect(card.locator('.jp-rees-verify-progress, .jp-rees-verify-result')).toBeVisible();

    const summary = card.locator('.jp-rees-verify-summary');
    await expect(summary).toContainText('The REES is at fault', { timeout: 120000 });
    await expect(card.getByRole('button', { name: 'Cancel' })).toHaveCount(0);

    // The demo's notebooks are fine; the extra one misses its module, in cell 2.
    const extra = card.locator('.jp-rees-verify-notebook', { hasText: '04-extra.ipynb' });
    await expect(extra).toContainText('Missing module');
    await expect(extra).toContainText('tinymissingmodule_for_rees');
    await expect(
      card.locator('.jp-rees-verify-notebook.jp-mod-ok', { hasText: '01-load-data.ipynb' })
    ).toHaveCount(1);

    await extra.getByRole('button', { name: 'cell 2' }).click();
    await expect(page.locator('.jp-NotebookPanel:visible .jp-Cell.jp-mod-active')).toContainText(
      'tinymissingmodule_for_rees'
    );
    expect(await page.activity.isTabActive('04-extra.ipynb')).toBe(true);
  });

  test('Cancel stops a verification that runs the notebooks', async ({ page }) => {
    test.setTimeout(180000);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:open');
    });
    const sidebar = page.locator(SIDEBAR);
    await sidebar.getByRole('button', { name: 'Scan' }).click();
    await sidebar.getByRole('button', { name: 'Preview REES' }).click({ timeout: 60000 });
    await sidebar.locator('.jp-rees-write').click();
    const card = sidebar.locator('.jp-rees-verify');
    await card.getByRole('checkbox', { name: 'Also run the notebooks' }).check();
    await card.getByRole('button', { name: 'Verify', exact: true }).click();
    await card.getByRole('button', { name: 'Cancel' }).click({ timeout: 30000 });
    await expect(card).toContainText('Verification cancelled.', { timeout: 30000 });
    await expect(card.getByRole('button', { name: 'Verify', exact: true })).toBeVisible();
  });
});

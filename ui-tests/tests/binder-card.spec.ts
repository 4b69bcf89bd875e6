/**
 * The Binder card and repo2docker's verdict before writing, on the demo project.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const DEMO = path.resolve(__dirname, '../../examples/demo');
const SIDEBAR = '#jp-rees-sidebar';

test.describe('Binder card', () => {
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

  test('picks the notebook and interface, renders and copies the badge', async ({
    page
  }) => {
    const sidebar = page.locator(SIDEBAR);
    await sidebar.getByRole('button', { name: 'Binder badge' }).click();
    const card = sidebar.locator('.jp-rees-binder-card');
    // Not a git repository: the card says so and offers the DOI variant.
    await expect(card).toContainText('git');
    await card.getByLabel('DOI').fill('10.5281/zenodo.1234567');
    await card.getByLabel('DOI').press('Enter');

    const text = card.locator('.jp-rees-badge-text');
    await expect(text).toHaveValue(
      '[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/zenodo/10.5281/zenodo.1234567/?urlpath=lab/tree/01-load-data.ipynb)'
    );
    // The badge image ships with the extension: it renders without the network.
    const image = card.locator('.jp-rees-badge-preview img');
    await expect(image).toBeVisible();
    expect(await image.evaluate(img => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

    await card.getByLabel('In', { exact: true }).selectOption('classic');
    await expect(text).toHaveValue(/urlpath=tree\/01-load-data\.ipynb\)$/);
    await card.getByLabel('Opens').selectOption('');
    await expect(text).toHaveValue(/zenodo\.1234567\/\?urlpath=tree\)$/);
    await card.getByLabel('In', { exact: true }).selectOption('voila');
    await card.getByLabel('Opens').selectOption('02-plots.ipynb');
    await expect(text).toHaveValue(/urlpath=voila\/render\/02-plots\.ipynb\)$/);
    await expect(card).toContainText('add the voila package');

    await card.getByRole('tab', { name: 'reStructuredText' }).click();
    await expect(text).toHaveValue(/^\.\. image:: https:\/\/mybinder\.org\/badge_logo\.svg/);
    await card.getByRole('tab', { name: 'reStructuredText' }).press('ArrowRight');
    await expect(card.getByRole('tab', { name: 'HTML' })).toHaveAttribute('aria-selected', 'true');
    await expect(text).toHaveValue(/^<a href=/);

    await card.getByRole('button', { name: 'Copy HTML' }).click();
    await expect(card.locator('.jp-rees-copied')).toHaveText('Copied');
    await expect(page.locator('.Toastify')).toContainText('Copied the HTML badge');

    const open = card.getByRole('link', { name: 'Open on Binder' });
    await expect(open).toHaveAttribute(
      'href',
      'https://mybinder.org/v2/zenodo/10.5281/zenodo.1234567/?urlpath=voila/render/02-plots.ipynb'
    );
  });

  test('repo2docker checks the REES before it is written', async ({ page, tmpPath }) => {
    const sidebar = page.locator(SIDEBAR);
    await sidebar.getByRole('button', { name: 'Check with repo2docker' }).click();
    await expect(sidebar.locator('.jp-rees-actions .jp-rees-binder-summary')).toContainText(
      'If written: Binder will build this folder with the Python buildpack',
      { timeout: 60000 }
    );
    expect(await page.contents.fileExists(`${tmpPath}/binder/requirements.txt`)).toBe(false);
    // Leaving a row out makes the verdict stale: it disappears until checked again.
    await sidebar.getByLabel('Include numpy').uncheck();
    await expect(sidebar.locator('.jp-rees-binder-summary')).toHaveCount(0);
  });

  test('disabled buttons say why', async ({ page }) => {
    const sidebar = page.locator(SIDEBAR);
    await sidebar.getByRole('button', { name: 'Leave out all in Will be written' }).click();
    const preview = sidebar.getByRole('button', { name: 'Preview REES' });
    await expect(preview).toHaveAttribute('aria-disabled', 'true');
    await expect(preview).toHaveAttribute('title', 'Include at least one package to preview');
    await preview.focus();
    await expect(preview).toBeFocused();
  });
});

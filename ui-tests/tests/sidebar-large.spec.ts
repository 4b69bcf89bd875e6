/**
 * The sidebar on a 200-notebook project: one warning per distribution, capped notes,
 * sections that collapse, the filter, and a panel that stays a few screens tall.
 */
import { expect, test } from '@jupyterlab/galata';

import { makeLargeProject } from './large-project';

const SIDEBAR = '#jp-rees-sidebar';

test.use({ viewport: { width: 1280, height: 800 } });

test.describe('Make reproducible sidebar on a large project', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await makeLargeProject(page, tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-rees-ui:scan-folder');
    });
    await expect(page.locator(`${SIDEBAR} .jp-rees-summary`)).toBeVisible({
      timeout: 60000
    });
  });

  test('reads at a glance', async ({ page }) => {
    const sidebar = page.locator(SIDEBAR);
    await expect(sidebar.locator('.jp-rees-summary-main')).toHaveText(
      /2 packages · 0 need a decision · pins from /
    );
    await expect(sidebar.locator('.jp-rees-summary-detail')).toContainText(
      '200 files scanned'
    );
    // Focus moved to the result of the scan.
    await expect(sidebar.locator('.jp-rees-summary')).toBeFocused();

    // One row and one warning for biopython: the mapping names it, so it is written
    // (unpinned, flagged) with numpy under "Will be written".
    const write = sidebar.locator('.jp-rees-section[data-section="write"]');
    await expect(write.locator('.jp-rees-section-toggle')).toContainText(
      'Will be written2'
    );
    const bio = write.locator('.jp-rees-requirement[data-name="biopython"]');
    await expect(bio).toHaveCount(1);
    await expect(bio.locator('.jp-rees-warning')).toHaveCount(1);
    await expect(sidebar.locator('.jp-rees-warning')).toHaveCount(1);
    await expect(bio.locator('.jp-rees-warning')).not.toContainText('more warnings');
    await expect(bio.locator('.jp-rees-provenance')).toHaveText('not installed · unpinned');

    // The kernels notes name three files each and "and N more".
    await expect(sidebar.locator('.jp-rees-note', { hasText: 'different kernels' })).toBeVisible();
    const note = sidebar
      .locator('.jp-rees-note')
      .filter({ has: page.locator('.jp-rees-note-files') })
      .first();
    await expect(note.locator('.jp-rees-note-files li')).toHaveCount(4);
    await expect(note).toContainText('and 37 more');
    expect((await note.innerText()).length).toBeLessThan(600);
    await note.getByRole('button', { name: 'and 37 more' }).click();
    await expect(note).toContainText('nb-198.ipynb');

    // The "used in" list is capped too.
    await bio.locator('.jp-rees-used-in summary').click();
    await expect(bio.locator('.jp-rees-sites li')).toHaveCount(6);

    // Sections collapse; the panel is then short.
    const expanded = sidebar.locator('.jp-rees-section-toggle[aria-expanded="true"]');
    while ((await expanded.count()) > 0) {
      await expanded.first().click();
    }
    await expect(sidebar.locator('.jp-rees-requirement')).toHaveCount(0);
    const height = await sidebar
      .locator('.jp-rees-view')
      .evaluate(node => node.scrollHeight);
    expect(height).toBeLessThan(3 * 800);
  });

  test('filters and acts on a whole section', async ({ page }) => {
    const sidebar = page.locator(SIDEBAR);
    const filter = sidebar.getByLabel('Filter the proposal');
    await filter.fill('seqio');
    await expect(sidebar.locator('.jp-rees-requirement')).toHaveCount(1);
    await expect(sidebar.locator('.jp-rees-requirement')).toHaveAttribute(
      'data-name',
      'biopython'
    );
    await expect(sidebar.locator('.jp-rees-filter-count')).toHaveText('1 of 2 shown');
    await filter.fill('nothing-like-this');
    await expect(sidebar.locator('.jp-rees-requirement')).toHaveCount(0);
    await filter.fill('');
    await expect(sidebar.locator('.jp-rees-requirement')).toHaveCount(2);

    await sidebar.getByRole('button', { name: 'Leave out all in Will be written' }).click();
    await expect(sidebar.getByLabel('Include biopython')).not.toBeChecked();
    await expect(sidebar.getByLabel('Include numpy')).not.toBeChecked();
    await sidebar.getByRole('button', { name: 'Include all in Will be written' }).click();
    await expect(sidebar.getByLabel('Include biopython')).toBeChecked();
    await expect(sidebar.getByLabel('Include numpy')).toBeChecked();
  });
});

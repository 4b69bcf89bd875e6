/**
 * A line the REES does not resolve with is held back by the preview: it moves to "Needs a
 * decision" with the resolver's reason, and ticking it writes it anyway.
 */
import { expect, test } from '@jupyterlab/galata';

import { readText } from './contents';

const SIDEBAR = '#jp-rees-sidebar';
const NAME = 'reesnosuchpkg';

/** A notebook installing and importing a package no index has (a typo, say). */
const NOTEBOOK = JSON.stringify({
  cells: [
    {
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: [`!pip install ${NAME}`]
    },
    {
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: [`import ${NAME}`]
    }
  ],
  metadata: {
    kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }
  },
  nbformat: 4,
  nbformat_minor: 5
});

/**
 * The project's uv settings: no package index, so the resolution check gives the same
 * verdict with or without a network (pip, used where uv is not installed, asks its own
 * index, which has no such package either).
 */
const UV_TOML = 'no-index = true\n';

test('a held row waits under Needs a decision with its reason, and can be written anyway', async ({
  page,
  tmpPath
}) => {
  await page.contents.uploadContent(NOTEBOOK, 'text', `${tmpPath}/analysis.ipynb`);
  await page.contents.uploadContent(UV_TOML, 'text', `${tmpPath}/uv.toml`);
  await page.filebrowser.openDirectory(tmpPath);
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('jupyter-rees-ui:open');
  });
  const sidebar = page.locator(SIDEBAR);
  const row = sidebar.locator(`.jp-rees-requirement[data-name="${NAME}"]`);
  const decide = sidebar.locator('.jp-rees-section[data-section="decide"]');
  const include = sidebar.getByLabel(`Include ${NAME}`);
  const preview = sidebar.locator('.jp-rees-preview-section');
  const requirements = preview
    .locator('details', { hasText: 'binder/requirements.txt' })
    .locator('.jp-rees-diff');

  await sidebar.getByRole('button', { name: 'Scan' }).click();
  await expect(row).toBeVisible({ timeout: 60000 });
  await expect(include).toBeChecked(); // the notebook installs it: written, until checked

  const previewed = page.waitForResponse(
    response => response.url().includes('/jupyter-rees-ui/preview') && response.ok()
  );
  await sidebar.getByRole('button', { name: 'Preview REES' }).click();
  const held: { name: string; reason: string }[] = (await (await previewed).json()).held;
  expect(held.map(h => h.name)).toEqual([NAME]);
  await expect(decide.locator(`.jp-rees-requirement[data-name="${NAME}"]`)).toBeVisible({
    timeout: 60000
  });
  await expect(decide.locator('.jp-rees-section-title')).toHaveText('Needs a decision');
  await expect(include).not.toBeChecked();
  const warning = row.locator('.jp-rees-warning');
  await expect(warning).toContainText(`with ${NAME} the REES does not resolve for Python`);
  await expect(warning).toContainText(held[0].reason); // the resolver's, e.g. "… was not found …"
  await expect(warning).toContainText('Not written; tick it to write it anyway.');
  await expect(preview.locator('.jp-rees-note', { hasText: `held back ${NAME}` })).toBeVisible();
  await expect(preview).toContainText('binder/requirements.txt: new file');
  await expect(requirements).not.toContainText(NAME);

  // Ticking it writes it anyway: it stays where it is, saying so.
  await include.check();
  await expect(include).toBeChecked();
  await expect(decide.locator(`.jp-rees-requirement[data-name="${NAME}"]`)).toBeVisible();
  await expect(warning).toContainText('Written anyway, as you chose.');
  await sidebar.getByRole('button', { name: 'Preview REES' }).click();
  await expect(requirements).toContainText(`+${NAME}`, { timeout: 60000 });
  await sidebar.locator('.jp-rees-write').click();
  await expect(sidebar.locator('.jp-rees-written')).toContainText('REES written');
  expect(await readText(page, `${tmpPath}/binder/requirements.txt`)).toMatch(
    new RegExp(`^${NAME}$`, 'm')
  );
});

/**
 * The review journey: the user's decisions are written, survive a re-scan, and a line
 * the user added to the REES by hand is shown as theirs and can be removed.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import { readText, writeText } from './contents';

const DEMO = path.resolve(__dirname, '../../examples/demo');
const SIDEBAR = '#jp-rees-sidebar';

test('review: decisions are written, kept by a re-scan, and a hand-added line can go', async ({
  page,
  tmpPath
}) => {
  await page.contents.uploadDirectory(DEMO, tmpPath);
  await page.filebrowser.openDirectory(tmpPath);
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('jupyter-rees-ui:open');
  });
  const sidebar = page.locator(SIDEBAR);
  const folder = sidebar.locator('#jp-rees-folder-input');
  const rows = sidebar.locator('.jp-rees-requirement');
  const row = (name: string) => sidebar.locator(`.jp-rees-requirement[data-name="${name}"]`);
  const preview = sidebar.locator('.jp-rees-preview-section');
  const write = sidebar.locator('.jp-rees-write');
  const requirements = `${tmpPath}/binder/requirements.txt`;

  await folder.press('Enter');
  await expect(rows).toHaveCount(3, { timeout: 60000 });

  // Untick a row, loosen a pin, add a package.
  await sidebar.getByLabel('Include matplotlib').uncheck();
  const numpyPin = sidebar.getByLabel('Pin for numpy');
  const pinned = await numpyPin.inputValue();
  expect(pinned).toMatch(/^==\d+\.\d+/);
  const [major, minor] = pinned.slice(2).split('.');
  const loose = `~=${major}.${minor}`;
  await numpyPin.fill(loose);
  await numpyPin.press('Enter');
  await sidebar.getByLabel('Package to add', { exact: true }).fill('packaging');
  await sidebar.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(row('packaging')).toBeVisible();
  // Looked up in the kernel's environment and pinned from it.
  await expect(sidebar.getByLabel('Pin for packaging')).toHaveValue(/^==\d/);

  await sidebar.getByRole('button', { name: 'Preview REES' }).click();
  await expect(preview).toContainText('binder/requirements.txt: new file');
  await expect(preview).toContainText(`numpy${loose}`);
  await expect(preview).toContainText('packaging==');
  await expect(preview).toContainText('# left out: matplotlib');
  await expect(preview).not.toContainText('matplotlib==');

  await write.click();
  await expect(sidebar.locator('.jp-rees-written')).toContainText('REES written');
  const written = await readText(page, requirements);
  expect(written).toContain(`numpy${loose}\n`);
  expect(written).toMatch(/^packaging==/m);
  expect(written).toMatch(/^# left out: matplotlib$/m);
  expect(written).not.toMatch(/^matplotlib/m);

  // A re-scan reads the decisions back from the file: nothing to change.
  await sidebar.getByRole('button', { name: 'Scan' }).click();
  await expect(row('numpy')).toHaveAttribute('data-status', 'kept', { timeout: 60000 });
  await expect(numpyPin).toHaveValue(loose);
  await expect(row('matplotlib')).toHaveAttribute('data-status', 'left-out');
  await expect(sidebar.getByLabel('Include matplotlib')).not.toBeChecked();
  await expect(row('packaging')).toHaveCount(1);
  await sidebar.getByRole('button', { name: 'Preview REES' }).click();
  await expect(preview).toContainText('binder/requirements.txt: unchanged');
  await expect(preview).not.toContainText(': changed');
  await expect(preview).not.toContainText(': new file');
  await expect(write).toHaveText('Nothing to write');
  await expect(write).toHaveAttribute('aria-disabled', 'true');

  // A line the user adds by hand is shown as theirs; unticking it removes it.
  await writeText(page, requirements, written + 'scipy>=1.0  # for the forecast\n');
  await sidebar.getByRole('button', { name: 'Scan' }).click();
  await expect(row('scipy')).toHaveAttribute('data-status', 'own', { timeout: 60000 });
  await expect(row('scipy')).toContainText('your line');
  await expect(sidebar.getByLabel('Include scipy')).toBeChecked();
  await sidebar.getByLabel('Include scipy').uncheck();
  await sidebar.getByRole('button', { name: 'Preview REES' }).click();
  await expect(preview).toContainText('binder/requirements.txt: changed');
  await expect(preview.locator('.jp-rees-diff')).toContainText('-scipy>=1.0');
  await expect(preview.locator('.jp-rees-diff')).not.toContainText('+scipy');
  await expect(write).toHaveText('Write 1 file');
});

/**
 * Links in the sidebar: a `.py` site opens at its line, a problem in a notebook that is
 * not valid JSON opens it as text, and the Binder card's ref changes the link.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

const DEMO = path.resolve(__dirname, '../../examples/demo');
const SIDEBAR = '#jp-rees-sidebar';

async function scan(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('jupyter-rees-ui:scan-folder');
  });
  await expect(page.locator(`${SIDEBAR} .jp-rees-requirement`)).toHaveCount(3, {
    timeout: 60000
  });
}

/** Run Python in a kernel whose working directory is ``folder``; returns its output. */
async function runPython(
  page: IJupyterLabPageFixture,
  folder: string,
  code: string
): Promise<string> {
  return page.evaluate(
    async ({ folder, code }) => {
      const sessions = window.jupyterapp.serviceManager.sessions;
      const session = await sessions.startNew({
        path: `${folder}/setup-git.ipynb`,
        name: 'setup-git.ipynb',
        type: 'notebook',
        kernel: { name: 'python3' }
      });
      const kernel = session.kernel!;
      let output = '';
      const future = kernel.requestExecute({ code });
      future.onIOPub = msg => {
        const content = msg.content as { text?: string; evalue?: string };
        output += content.text ?? content.evalue ?? '';
      };
      const reply = await future.done;
      await session.shutdown();
      if (reply.content.status !== 'ok') {
        throw new Error(`setup failed: ${output}`);
      }
      return output;
    },
    { folder, code }
  );
}

test.describe('Sidebar links', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await page.contents.uploadDirectory(DEMO, tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
  });

  test('a .py site opens the file at its line', async ({ page }) => {
    await scan(page);
    const sidebar = page.locator(SIDEBAR);
    const row = sidebar.locator('.jp-rees-requirement', {
      has: page.locator('.jp-rees-name', { hasText: /^numpy$/i })
    });
    await row.locator('summary', { hasText: 'used in' }).click();
    await row.getByRole('button', { name: 'sales.py · line 3' }).click();

    const editor = page.locator('.jp-FileEditor').filter({ visible: true });
    await expect(editor).toBeVisible();
    await expect(page.locator('.lm-DockPanel-tabBar .lm-mod-current')).toContainText(
      'sales.py'
    );
    // The cursor is on line 3 (the status bar says so), and that line is on screen.
    const position = page
      .locator('#jp-main-statusbar')
      .getByRole('button', { name: /^Ln \d+, Col \d+$/ });
    await expect(position).toHaveText('Ln 3, Col 1');
    const cursor = await page.evaluate(() => {
      const widget = window.jupyterapp.shell.currentWidget as any;
      const editor = widget.content.editor;
      const position = editor.getCursorPosition();
      return { line: position.line, text: editor.getLine(position.line) };
    });
    expect(cursor).toEqual({ line: 2, text: 'import numpy as np' });
    await expect(editor.locator('.cm-line', { hasText: 'import numpy as np' })).toBeInViewport();
  });

  test('a notebook that is not valid JSON opens as text', async ({ page, tmpPath }) => {
    await page.contents.uploadContent(
      '{"cells": [ oops, not json',
      'text',
      `${tmpPath}/broken.ipynb`
    );
    await scan(page);
    const sidebar = page.locator(SIDEBAR);
    const issues = sidebar.locator('.jp-rees-issues');
    await issues.locator('summary').click();
    const link = issues.getByRole('button', { name: /broken\.ipynb/ });
    await expect(link).toHaveAttribute('title', 'Open broken.ipynb as text');
    await link.click();

    const editor = page.locator('.jp-FileEditor').filter({ visible: true });
    await expect(editor).toBeVisible();
    await expect(editor.locator('.cm-content')).toContainText('oops, not json');
    await expect(page.locator('.lm-DockPanel-tabBar .lm-mod-current')).toContainText(
      'broken.ipynb'
    );
    // No error dialog, no notebook stuck loading.
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    await expect(page.locator('.jp-NotebookPanel').filter({ visible: true })).toHaveCount(0);
  });

  test('choosing a ref changes the Binder link', async ({ page, tmpPath }) => {
    // The folder becomes a git repository with a GitHub remote, a branch and a tag;
    // main is on the remote (as last fetched), nothing is contacted.
    await runPython(
      page,
      tmpPath,
      `
import subprocess
def git(*args):
    subprocess.run(
        ["git", "-c", "user.name=Demo", "-c", "user.email=demo@example.org", *args],
        check=True, capture_output=True,
    )
git("init", "-q", "-b", "main")
git("add", "-A")
git("commit", "-qm", "Demo")
git("branch", "draft")
git("tag", "v1.0")
git("remote", "add", "origin", "https://github.com/example/demo.git")
git("update-ref", "refs/remotes/origin/main", "HEAD")
`
    );
    await scan(page);
    const sidebar = page.locator(SIDEBAR);
    await sidebar.getByRole('button', { name: 'Binder badge' }).click();
    const card = sidebar.locator('.jp-rees-binder-card');
    const open = card.getByRole('link', { name: 'Open on Binder' });
    await expect(open).toHaveAttribute(
      'href',
      /^https:\/\/mybinder\.org\/v2\/gh\/example\/demo\/main\?/,
      { timeout: 30000 }
    );

    const ref = card.getByLabel('Ref', { exact: true });
    await expect(ref).toHaveValue('main');
    // The branches and tags are offered.
    const choices = await card
      .locator('datalist option')
      .evaluateAll(options => options.map(o => (o as HTMLOptionElement).value));
    expect(choices).toEqual(expect.arrayContaining(['main', 'draft', 'v1.0']));

    await ref.fill('v1.0');
    await ref.press('Enter');
    await expect(open).toHaveAttribute('href', /\/v2\/gh\/example\/demo\/v1\.0\?/);
    await expect(card.locator('.jp-rees-badge-text')).toHaveValue(
      /\(https:\/\/mybinder\.org\/v2\/gh\/example\/demo\/v1\.0\?/
    );

    // A branch that is not on the remote: the link follows, with a hint naming it.
    await ref.fill('draft');
    await ref.press('Enter');
    await expect(open).toHaveAttribute('href', /\/v2\/gh\/example\/demo\/draft\?/);
    await expect(card).toContainText('git push -u origin draft');
  });
});

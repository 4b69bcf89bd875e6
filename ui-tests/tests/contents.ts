/**
 * Reading and writing a file of the test's folder through JupyterLab's contents service,
 * as the user's other tools would (shared by the UI tests).
 */
import { IJupyterLabPageFixture } from '@jupyterlab/galata';

export async function readText(page: IJupyterLabPageFixture, file: string): Promise<string> {
  return page.evaluate(async file => {
    const model = await window.jupyterapp.serviceManager.contents.get(file, {
      content: true,
      type: 'file'
    });
    return model.content as string;
  }, file);
}

export async function writeText(
  page: IJupyterLabPageFixture,
  file: string,
  text: string
): Promise<void> {
  await page.evaluate(
    async ({ file, text }) => {
      await window.jupyterapp.serviceManager.contents.save(file, {
        type: 'file',
        format: 'text',
        content: text
      });
    },
    { file, text }
  );
}

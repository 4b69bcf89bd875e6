/**
 * A generated project for the sidebar's UI tests: many notebooks that import submodules
 * of one distribution that is not installed (biopython), numpy, and several kernels.
 */
import { IJupyterLabPageFixture } from '@jupyterlab/galata';

export const SUBMODULES = [
  'PDB',
  'SeqIO',
  'Align',
  'Blast',
  'Entrez',
  'Phylo',
  'motifs',
  'SeqUtils',
  'AlignIO',
  'Restriction',
  'KEGG',
  'Graphics'
];
export const KERNELS = ['python3', 'py39', 'py310', 'conda-env-a', 'ds'];

/**
 * Write ``count`` notebooks into ``folder`` through the contents API, each with
 * ``cells`` code cells (more cells: a slower scan).
 */
export async function makeLargeProject(
  page: IJupyterLabPageFixture,
  folder: string,
  count = 200,
  cells = 1
): Promise<void> {
  await page.evaluate(
    async ({ folder, count, cells, submodules, kernels }) => {
      const contents = window.jupyterapp.serviceManager.contents;
      const saves: Promise<unknown>[] = [];
      for (let i = 0; i < count; i++) {
        const first = submodules[i % submodules.length];
        const second = submodules[(i * 7) % submodules.length];
        const source = [
          `import Bio.${first}`,
          `from Bio.${second}.Sub${i % 5} import thing`,
          'import numpy as np'
        ].join('\n');
        const kernel = kernels[i % kernels.length];
        const notebook = {
          cells: Array.from({ length: cells }, (_, j) => ({
            cell_type: 'code',
            metadata: {},
            source: j === 0 ? source : `import os\nx${j} = os.path.join("a", "b")\nprint(x${j})`,
            outputs: [],
            execution_count: null
          })),
          metadata: {
            kernelspec: { name: kernel, display_name: kernel, language: 'python' },
            language_info: { name: 'python' }
          },
          nbformat: 4,
          nbformat_minor: 5
        };
        const name = `nb-${String(i).padStart(3, '0')}.ipynb`;
        saves.push(
          contents.save(`${folder}/${name}`, {
            type: 'notebook',
            format: 'json',
            content: notebook
          })
        );
        if (saves.length >= 20) {
          await Promise.all(saves.splice(0));
        }
      }
      await Promise.all(saves);
    },
    { folder, count, cells, submodules: SUBMODULES, kernels: KERNELS }
  );
}

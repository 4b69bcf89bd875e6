import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { SidePanel } from '@jupyterlab/ui-components';
import { Panel } from '@lumino/widgets';

import * as api from './api';
import { reesIcon } from './icons';
import { IReesSnapshot, ReesModel } from './model';
import { CommandIDs, PinPolicy, ReesFormat } from './tokens';
import { ReesPanel } from './widgets/ReesPanel';

const PLUGIN_ID = 'jupyter-rees-ui:plugin';
/** Where the last proposal is kept across reloads. */
const STATE_KEY = 'jupyter-rees-ui:proposal';
/** How long after a save the folder is scanned again. */
const RESCAN_DELAY_MS = 1500;

/** What a file editor's content offers to place the cursor (FileEditor has it). */
interface ITextContent {
  editor?: {
    setCursorPosition(position: { line: number; column: number }): void;
    revealPosition(position: { line: number; column: number }): void;
    focus(): void;
  };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The Make reproducible sidebar: propose and write a REES for a folder.',
  autoStart: true,
  requires: [IDocumentManager],
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    IDefaultFileBrowser,
    ISettingRegistry,
    ITranslator,
    IStateDB
  ],
  activate: (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    browser: IDefaultFileBrowser | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    state: IStateDB | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyter_rees_ui');
    const model = new ReesModel(api);

    const openSite = async (
      path: string,
      cell: number | null,
      line: number,
      asText = false
    ) => {
      // A file that failed to parse as a notebook opens in the text editor.
      const widget = asText
        ? docManager.openOrReveal(path, 'Editor')
        : docManager.openOrReveal(path);
      if (!widget) {
        return;
      }
      await widget.context.ready;
      if (widget instanceof NotebookPanel) {
        const notebook = widget.content;
        if (cell !== null && cell < notebook.widgets.length) {
          notebook.activeCellIndex = cell;
          const active = notebook.activeCell;
          if (active) {
            await notebook.scrollToCell(active);
            active.editor?.setCursorPosition({ line: Math.max(line - 1, 0), column: 0 });
          }
        }
        return;
      }
      // A text file (a .py site): put the cursor on the line and show it.
      const editor = (widget.content as ITextContent).editor;
      if (editor && cell === null) {
        const position = { line: Math.max(line - 1, 0), column: 0 };
        editor.setCursorPosition(position);
        editor.revealPosition(position);
        editor.focus();
      }
    };

    const content = new ReesPanel({
      model,
      trans,
      openSite: (path, cell, line, asText) => void openSite(path, cell, line, asText),
      copy: text => Clipboard.copyToSystem(text)
    });
    // A plain Panel as content: one section, no accordion title.
    const panel = new SidePanel({
      content: new Panel(),
      translator: translator ?? nullTranslator
    });
    panel.id = 'jp-rees-sidebar';
    panel.title.icon = reesIcon;
    panel.title.caption = trans.__('Make reproducible');
    panel.addClass('jp-rees-sidebar');
    const header = document.createElement('h2');
    header.textContent = trans.__('Make reproducible');
    panel.header.node.appendChild(header);
    panel.addWidget(content);
    app.shell.add(panel, 'left', { rank: 700 });
    restorer?.add(panel, 'jupyter-rees-ui');

    // The folder defaults to the file browser's current one until the user types one.
    let followBrowser = true;
    const syncFolder = () => {
      if (browser && followBrowser && !model.busy) {
        model.folder = browser.model.path;
      }
    };
    browser?.model.pathChanged.connect(syncFolder);
    syncFolder();
    const input = () => {
      followBrowser = false;
    };
    content.node.addEventListener('input', event => {
      if ((event.target as HTMLElement).id === 'jp-rees-folder-input') {
        input();
      }
    });

    void model.loadKernels();

    // The last proposal comes back after a reload.
    if (state) {
      void state.fetch(STATE_KEY).then(saved => {
        if (saved) {
          model.restore(saved as unknown as IReesSnapshot);
          followBrowser = false;
        }
      });
      let saveTimer = 0;
      model.stateChanged.connect(() => {
        window.clearTimeout(saveTimer);
        saveTimer = window.setTimeout(() => {
          const snapshot = model.snapshot();
          if (snapshot && !model.busy) {
            void state.save(
              STATE_KEY,
              snapshot as unknown as Parameters<IStateDB['save']>[1]
            );
          }
        }, 1000);
      });
    }

    // Saving a notebook or .py file of the scanned folder scans it again (debounced;
    // the server re-reads only what changed) and marks the rows that changed.
    let rescanTimer = 0;
    app.serviceManager.contents.fileChanged.connect((_, change) => {
      const path = change.newValue?.path;
      if (change.type !== 'save' || !path || !/\.(ipynb|py)$/i.test(path)) {
        return;
      }
      window.clearTimeout(rescanTimer);
      rescanTimer = window.setTimeout(() => void model.rescanIfScanned(path), RESCAN_DELAY_MS);
    });

    if (settingRegistry) {
      void settingRegistry.load(PLUGIN_ID).then(settings => {
        const apply = () => {
          void model.setPin(settings.get('pin').composite as PinPolicy);
          model.setFormat(settings.get('format').composite as ReesFormat);
          model.setTarget(settings.get('target').composite as string);
          model.setOverrides(
            (settings.get('overrides').composite as { [key: string]: string }) ?? {}
          );
        };
        apply();
        settings.changed.connect(apply);
      });
    }

    app.commands.addCommand(CommandIDs.open, {
      label: trans.__('Make Reproducible…'),
      caption: trans.__('Propose and write a REES (Binder files) for a folder'),
      icon: reesIcon,
      execute: () => {
        app.shell.activateById(panel.id);
      }
    });

    app.commands.addCommand(CommandIDs.scanFolder, {
      label: trans.__('Make This Folder Reproducible'),
      icon: reesIcon,
      execute: async () => {
        const item = browser?.selectedItems().next();
        const selected = item && !item.done ? item.value : undefined;
        const path =
          selected && selected.type === 'directory'
            ? selected.path
            : (browser?.model.path ?? '');
        followBrowser = false;
        model.folder = path;
        app.shell.activateById(panel.id);
        await model.scan();
      }
    });

    palette?.addItem({
      command: CommandIDs.open,
      category: trans.__('Make Reproducible')
    });
    palette?.addItem({
      command: CommandIDs.scanFolder,
      category: trans.__('Make Reproducible')
    });
  }
};

export default plugin;

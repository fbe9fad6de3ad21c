// Which dialog is open, and the dialogs themselves.
import type { JSX } from 'preact';
import type { Panel } from './Header.js';
import { AddDialog } from './AddDialog.js';
import { ChooseFilesDialog } from './ChooseFilesDialog.js';
import { LabelDialog, LimitsDialog, RemoveDialog } from './ActionDialogs.js';
import { SessionDialog } from './SessionDialog.js';
import { ServersDialog } from './ServersDialog.js';
import { CreateDialog } from './CreateDialog.js';

export type Modal = Panel | 'remove' | 'label' | 'limits' | { choose: number; start: boolean } | null;

export interface ModalsProps {
  modal: Modal;
  setModal: (m: Modal) => void;
  /** The selected torrents, for the dialogs that act on them. */
  ids: number[];
  /** .torrent files dropped on the page, for the add dialog. */
  dropped: File[];
  clearDropped: () => void;
}

export function Modals({ modal, setModal, ids, dropped, clearDropped }: ModalsProps): JSX.Element | null {
  const close = (): void => setModal(null);
  if (modal === null) return null;
  if (typeof modal === 'object') return <ChooseFilesDialog id={modal.choose} start={modal.start} onClose={close} />;
  switch (modal) {
    case 'add':
      return <AddDialog initialFiles={dropped} onClose={() => { clearDropped(); close(); }} onChoose={(id, start) => { clearDropped(); setModal({ choose: id, start }); }} />;
    case 'create': return <CreateDialog onClose={close} />;
    case 'session': return <SessionDialog onClose={close} />;
    case 'servers': return <ServersDialog onClose={close} />;
    case 'remove': return <RemoveDialog ids={ids} onClose={close} />;
    case 'label': return <LabelDialog ids={ids} onClose={close} />;
    case 'limits': return <LimitsDialog ids={ids} onClose={close} />;
  }
}

// A modal on the native <dialog>: the browser traps focus, closes on Escape and hides the rest from screen
// readers; this adds a title, a close button and a form whose submit runs the action.
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren, JSX } from 'preact';

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** The form's submit; the dialog stays open while it runs. */
  onSubmit?: () => void | Promise<void>;
  actions?: ComponentChildren;
  wide?: boolean;
}

let nextId = 1;

export function Dialog({ title, onClose, children, onSubmit, actions, wide }: DialogProps): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dialog-title-${nextId++}`).current;
  useEffect(() => {
    const el = ref.current!;
    if (!el.open) el.showModal();
    return () => el.close();
  }, []);
  return (
    <dialog ref={ref} class={wide ? 'wide' : ''} aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void onSubmit?.();
        }}
      >
        <header class="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" class="icon" aria-label="Close" onClick={onClose}>✕</button>
        </header>
        <div class="dialog-body">{children}</div>
        {actions && <footer class="dialog-actions">{actions}</footer>}
      </form>
    </dialog>
  );
}

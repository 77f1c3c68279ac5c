import { h, replace } from './dom.js';

/**
 * A list whose rows are kept by id and changed in place: a row is rebuilt only when its item's
 * signature changed, rows move only when out of order, and elements a row `keep`s (an input, a
 * checkbox) are made once per id and live on across rebuilds, filter changes and reorders —
 * so a live update never loses what an operator typed, ticked, or where their cursor is.
 *
 * renderItem(item, keep) returns { signature, attributes, children }, `children` a function
 * called only when the signature changed (it places the kept elements); keep(name, make)
 * returns the row's element of that name, made by `make` the first time.
 */
export function keyedList(element, renderItem) {
  /** id → { li, signature } of the rows shown now. */
  const rows = new Map();
  /** id → (name → element): outlives the row, so a note survives its alert leaving the view and coming back. */
  const kept = new Map();
  let lastItems = [];

  function keeper(id) {
    if (!kept.has(id)) kept.set(id, new Map());
    const mine = kept.get(id);
    return (name, make) => {
      if (!mine.has(name)) mine.set(name, make());
      return mine.get(name);
    };
  }

  function update(row, item) {
    const { signature, attributes, children } = renderItem(item, keeper(item.id));
    if (signature === row.signature) return;
    row.signature = signature;
    for (const name of row.li.getAttributeNames()) if (!(name in attributes)) row.li.removeAttribute(name);
    for (const [name, value] of Object.entries(attributes)) row.li.setAttribute(name, String(value));
    replace(row.li, children());
  }

  /** Shows exactly `items` (each with an `id`), in this order. */
  function show(items) {
    lastItems = items;
    preservingFocus(element, () => {
      const ids = new Set(items.map((item) => item.id));
      for (const [id, row] of rows) {
        if (ids.has(id)) continue;
        row.li.remove();
        rows.delete(id);
      }
      items.forEach((item, index) => {
        let row = rows.get(item.id);
        if (!row) {
          row = { li: h('li'), signature: undefined };
          rows.set(item.id, row);
        }
        update(row, item);
        const at = element.children[index];
        if (at !== row.li) element.insertBefore(row.li, at ?? null);
      });
    });
  }

  return {
    element,
    show,
    /** Rebuilds every row (e.g. once units arrived). */
    refreshAll() {
      for (const row of rows.values()) row.signature = undefined;
      show(lastItems);
    },
    has: (id) => rows.has(id),
    ids: () => [...rows.keys()],
    kept: (id, name) => kept.get(id)?.get(name),
  };
}

/**
 * Runs `change` and gives focus (and the text selection) back to the element inside `container`
 * that had it: moving or re-parenting a focused element blurs it.
 */
function preservingFocus(container, change) {
  const active = document.activeElement;
  const inside = active && active !== container && container.contains(active);
  const selection =
    inside && typeof active.selectionStart === 'number'
      ? [active.selectionStart, active.selectionEnd, active.selectionDirection]
      : undefined;
  change();
  if (!inside || !active.isConnected || document.activeElement === active) return;
  active.focus({ preventScroll: true });
  if (selection) {
    try {
      active.setSelectionRange(...selection);
    } catch {
      // Not a text field after all.
    }
  }
}

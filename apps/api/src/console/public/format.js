/** Short local time for lists: "14:03:21", with the date when not today. */
export function formatTime(iso) {
  if (!iso) return '—';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return String(iso);
  const sameDay = t.toDateString() === new Date().toDateString();
  return sameDay ? t.toLocaleTimeString() : t.toLocaleString();
}

export function formatNumber(n) {
  if (n === undefined || n === null || Number.isNaN(n)) return '—';
  return Math.abs(n) >= 1000 || Number.isInteger(n) ? String(Math.round(n * 100) / 100) : n.toPrecision(4);
}

// Five stars filled to a rating, for the eye only (drawn in CSS): the caller gives the rating in words beside it.
export function Stars({ value }: { value: number }) {
  const percent = Math.max(0, Math.min(100, (value / 5) * 100));
  return (
    <span className="stars" aria-hidden="true">
      <span className="stars-filled" style={{ width: `${percent}%` }} />
    </span>
  );
}

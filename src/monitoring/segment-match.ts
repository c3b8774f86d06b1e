/** Does an event's segment key ("k=v&k2=v2") hold every part of the wanted one? */
export function segmentMatches(eventSegment: string, wanted: string): boolean {
  const have = new Set(eventSegment.split('&'));
  return wanted.split('&').every((p) => have.has(p));
}

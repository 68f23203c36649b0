// What "search apps" finds, the one rule the server's catalog endpoint and the agent's copy of the catalog both apply:
// the term, trimmed and in lower case, inside the app's name, publisher or short description. Long descriptions are
// left out on purpose: they mention other apps and common words ("mail", "team"), and results full of them are noise.
/** The search term as both sides compare it; '' finds every app. */
export function catalogSearchTerm(search: string | undefined): string {
  return (search ?? '').trim().toLocaleLowerCase();
}

/** The texts a search looks in, lower case, built once per app; kept apart so a term never matches across two. */
export function catalogSearchText(app: { name: string; publisher: string; shortDescription: string }): readonly string[] {
  return [app.name, app.publisher, app.shortDescription].map((text) => text.toLocaleLowerCase());
}

/** True when one of the app's search texts holds `term` (from catalogSearchTerm). */
export function matchesCatalogSearch(searchText: readonly string[], term: string): boolean {
  return term === '' || searchText.some((text) => text.includes(term));
}

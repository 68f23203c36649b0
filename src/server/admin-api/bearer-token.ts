// Reads the token out of an `Authorization: Bearer <token>` header, refusing anything oversized or oddly shaped.
const MAX_TOKEN_LENGTH = 8192;

/** The bearer token of an Authorization header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header.trim());
  const token = match?.[1];
  return token !== undefined && token.length <= MAX_TOKEN_LENGTH ? token : null;
}

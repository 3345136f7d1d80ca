import { InputError } from '@backstage/errors';

/** A list request's page: how many, and the cursor a previous page returned. */
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/**
 * The limit (default 20, 1 to 100) and the numeric cursor of a list request,
 * shared by the deployments' and the builds' history; a 400 naming the field.
 */
export function parsePage(request: PageRequest): {
  limit: number;
  cursor?: number;
} {
  const limit = request.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new InputError('limit: must be a whole number from 1 to 100');
  }
  if (request.cursor === undefined) return { limit };
  const cursor = Number(request.cursor);
  if (!/^\d+$/.test(request.cursor) || !Number.isSafeInteger(cursor)) {
    throw new InputError(
      `cursor: "${request.cursor}" is not a cursor this API returned; send the nextCursor of the previous page`,
    );
  }
  return { limit, cursor };
}

/** The store's next cursor as the API returns it. */
export const cursorOut = (next: number | undefined): string | undefined =>
  next === undefined ? undefined : String(next);

/** One page of a search: the items and the token for the next page, if any. */
export interface PagedList<T> {
  readonly items: T[];
  /** Opaque; absent when there are no more pages. */
  readonly nextPageToken?: string;
}

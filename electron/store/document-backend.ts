/** The storage seam under every store: load and save one JSON document. */

/** Loads/saves one JSON document (a file, or one electron-store). */
export interface DocumentBackend {
  /** The parsed document, or undefined when nothing was saved yet. Throws AppError('PARSE_ERROR') naming the file. */
  load(): unknown;
  /** Replaces the document (atomically: a crash leaves the old or the new one, never half). */
  save(doc: unknown): void;
  /** The file path, for messages. */
  readonly location: string;
}

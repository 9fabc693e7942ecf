export interface PdfReportOptions {
  title: string;
  organization: string;
  /** As the reader should see it, e.g. `2024-01-01 to 2024-01-31 (Europe/Berlin)`. */
  period: string;
  /** Shown as `key: value` lines. */
  filters: Record<string, string>;
  /** IANA zone the timestamps are shown in. */
  zone: string;
  /** Default: now. */
  generatedAt?: Date;
  /** Stops the rendering between two slices of it (the render rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** Called as pages are drawn, a few dozen times a second at most. */
  onProgress?: ((progress: RenderProgress) => void) | undefined;
}

/**
 * How far drawing the report has come. The events are all in (spooled and counted) before the
 * first page is drawn, so `total` is exact; the number of pages only at the end (a row's height
 * depends on how its text wraps).
 */
export interface RenderProgress {
  /** The page being drawn (the summary's pages included). */
  page: number;
  /** The pages there will be: estimated from the pages so far, exact once `rendered === total`. */
  pages: number;
  /** Events drawn so far. */
  rendered: number;
  total: number;
}

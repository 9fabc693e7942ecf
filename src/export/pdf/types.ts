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
}

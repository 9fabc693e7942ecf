/** Page geometry, fonts and the page flow: every page gets its footer (and, after the first, a running header). */
import { fitLines, type Measure, truncate } from './text.js';

export const FONT = 'Helvetica';
export const BOLD = 'Helvetica-Bold';
export const MUTED = '#555555';
export const INK = '#000000';

/** Landscape A4; the side margins and the band above and below the content, in points. */
export const PAGE_SIZE = 'A4';
const MARGIN = 36;
const TOP = 44;
const BOTTOM = 42;

export interface TextStyle {
  font?: string;
  size?: number;
  color?: string;
  /** With `width`: right-align inside it, or centre. */
  align?: 'left' | 'right' | 'center';
  width?: number;
}

export interface Chrome {
  /** Left and right of the running header on every page after the first. */
  header: [string, string];
  /** Left of the footer ("Page N" is centred). */
  footer: string;
}

export class PageFlow {
  pageNumber = 0;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly chrome: Chrome,
  ) {}

  get left(): number {
    return MARGIN;
  }

  get right(): number {
    return this.doc.page.width - MARGIN;
  }

  get width(): number {
    return this.right - this.left;
  }

  /** Where content must end on the current page. */
  get bottom(): number {
    return this.doc.page.height - BOTTOM;
  }

  /** Starts a page with its header and footer; returns the y where content begins. */
  newPage(): number {
    this.doc.addPage();
    this.pageNumber++;
    const footerY = this.doc.page.height - BOTTOM + 18;
    const half = this.width / 2 - 40;
    this.text(this.chrome.footer, this.left, footerY, { size: 7.5, color: MUTED, width: half });
    this.text(`Page ${this.pageNumber}`, this.left, footerY, { size: 8, width: this.width, align: 'center' });
    if (this.pageNumber === 1) return MARGIN;
    const [left, right] = this.chrome.header;
    const headerY = MARGIN - 14;
    this.text(left, this.left, headerY, { size: 7.5, color: MUTED, width: this.width * 0.6 });
    this.text(right, this.right - this.width * 0.38, headerY, {
      size: 7.5,
      color: MUTED,
      width: this.width * 0.38,
      align: 'right',
    });
    this.doc
      .moveTo(this.left, headerY + 11)
      .lineTo(this.right, headerY + 11)
      .lineWidth(0.5)
      .strokeColor('#999999')
      .stroke();
    return TOP;
  }

  private readonly metrics = new Map<string, CachedMeasure>();

  /** Sets font and size, and returns a measure of text in them. */
  use(font: string, size: number): Measure {
    this.doc.font(font).fontSize(size);
    let cached = this.metrics.get(font);
    if (!cached) {
      cached = cachedMeasure();
      this.metrics.set(font, cached);
    }
    const unit = cached;
    // A cache miss measures with pdfkit in this font and size, which stay current.
    const perPoint = (text: string) => this.doc.font(font).fontSize(size).widthOfString(text) / size;
    return (text) => unit(text, perPoint) * size;
  }

  /**
   * Draws already-safe text on one line at (x, y) (the top of the line). With `width`, text
   * that does not fit ends in an ellipsis.
   */
  text(text: string, x: number, y: number, style: TextStyle = {}): void {
    const measure = this.use(style.font ?? FONT, style.size ?? 8);
    let line = text;
    let left = x;
    if (style.width !== undefined) {
      line = truncate(text, style.width, measure);
      const slack = style.width - measure(line);
      if (style.align === 'right') left += slack;
      else if (style.align === 'center') left += slack / 2;
    }
    this.doc.fillColor(style.color ?? INK).text(line, left, y, { lineBreak: false });
  }

  /** Draws `text` wrapped to `width` (at most `maxLines` lines); returns the y below it. */
  paragraph(
    text: string,
    x: number,
    y: number,
    width: number,
    maxLines: number,
    style: TextStyle = {},
  ): number {
    const size = style.size ?? 8;
    const measure = this.use(style.font ?? FONT, size);
    const lineHeight = size * 1.25;
    let top = y;
    for (const line of fitLines(text, width, maxLines, measure, size)) {
      this.text(line, x, top, style);
      top += lineHeight;
    }
    return top;
  }

  rect(x: number, y: number, width: number, height: number, color: string): void {
    this.doc.rect(x, y, width, height).fill(color);
  }

  rule(x1: number, x2: number, y: number, color = '#bbbbbb'): void {
    this.doc.moveTo(x1, y).lineTo(x2, y).lineWidth(0.5).strokeColor(color).stroke();
  }
}

/**
 * pdfkit measures a string glyph by glyph, looking up every kerning pair by name: the hot spot of
 * a large report. The same widths from a cache of characters and of pairs (a pair's kerning is
 * its width less its two characters'), exact and many times faster. `measure` is at size 1.
 */
type CachedMeasure = (text: string, measure: Measure) => number;

function cachedMeasure(): CachedMeasure {
  const widths = new Map<number, number>();
  const kerning = new Map<number, number>();
  const width = (code: number, measure: Measure) => {
    let value = widths.get(code);
    if (value === undefined) {
      value = measure(String.fromCharCode(code));
      widths.set(code, value);
    }
    return value;
  };
  return (text, measure) => {
    let total = 0;
    let previous = -1;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      total += width(code, measure);
      if (previous >= 0) {
        const pair = previous * 0x10000 + code;
        let kern = kerning.get(pair);
        if (kern === undefined) {
          kern =
            measure(String.fromCharCode(previous, code)) - width(previous, measure) - width(code, measure);
          kerning.set(pair, kern);
        }
        total += kern;
      }
      previous = code;
    }
    return total;
  };
}

import { create } from 'qrcode';

/** ISO/IEC 18004: four modules of light margin around the symbol, or readers may miss it. */
const QUIET_ZONE = 4;

/**
 * `text` as a QR code in an SVG data URI, for an `<img>` (the pages' CSP allows `img-src data:`
 * and no scripts): one path of the dark modules on a white square, medium error correction.
 */
export function qrCodeDataUri(text: string): string {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size + QUIET_ZONE * 2;
  let path = '';
  // BitMatrix.get(row, col): y is the row, x the column.
  for (let y = 0; y < modules.size; y += 1) {
    for (let x = 0; x < modules.size; x += 1) {
      if (modules.get(y, x)) path += `M${x + QUIET_ZONE} ${y + QUIET_ZONE}h1v1h-1z`;
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

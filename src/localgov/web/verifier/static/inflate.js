"use strict";
// zlib (RFC 1950) inflation with the browser's own DecompressionStream("deflate"), stopped as
// soon as the output passes the limit, so a small token cannot make the page allocate megabytes.

export class InflateError extends Error {}

export async function inflateBounded(data, limit) {
  const reader = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate")).getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        reader.cancel().catch(() => {});
        throw new InflateError(`inflates to more than ${limit} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof InflateError) throw error;
    // Truncated streams, bad checksums and bytes after the end all end up here.
    throw new InflateError(`zlib: ${error.message}`);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

package dev.headend.cache.http;

import java.time.Instant;

/** Answers a single byte-range request from a complete stored response (RFC 9110 §14). */
final class Ranges {
  private Ranges() {}

  /**
   * The 206 or 416 for the request's {@code Range}, or {@code full} when the range is absent,
   * malformed, multi-part, or {@code If-Range} does not match (all of which RFC 9110 lets a server
   * answer with the whole representation).
   */
  static HttpResponse apply(
      HttpResponse full, HttpFields request, EntityTag etag, Instant lastModified) {
    String range = request.combined("Range");
    if (range == null || !ifRangeMatches(request, etag, lastModified)) {
      return full;
    }
    String r = range.strip();
    if (r.length() < 7 || !r.regionMatches(true, 0, "bytes=", 0, 6) || r.indexOf(',') >= 0) {
      return full;
    }
    String spec = r.substring(6).strip();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return full;
    }
    long length = full.contentLength();
    long first;
    long last;
    String a = spec.substring(0, dash).strip();
    String b = spec.substring(dash + 1).strip();
    if (a.isEmpty()) {
      long suffix = Tokens.deltaSeconds(b);
      if (suffix < 0) {
        return full;
      }
      if (suffix == 0 || length == 0) {
        return unsatisfiable(full, length);
      }
      first = Math.max(0, length - suffix);
      last = length - 1;
    } else {
      first = Tokens.deltaSeconds(a);
      if (first < 0) {
        return full;
      }
      if (b.isEmpty()) {
        last = length - 1;
      } else {
        last = Tokens.deltaSeconds(b);
        if (last < 0 || last < first) {
          return full;
        }
        last = Math.min(last, length - 1);
      }
      if (first >= length) {
        return unsatisfiable(full, length);
      }
    }
    byte[] all = full.contentShared();
    byte[] part = new byte[(int) (last - first + 1)];
    System.arraycopy(all, (int) first, part, 0, part.length);
    HttpFields f =
        full.fields()
            .without("Content-Length")
            .with("Content-Range", "bytes " + first + "-" + last + "/" + length);
    return new HttpResponse(206, "Partial Content", f, part);
  }

  private static HttpResponse unsatisfiable(HttpResponse full, long length) {
    HttpFields f =
        HttpFields.builder()
            .add("Date", full.fields().first("Date").orElse(""))
            .add("Content-Range", "bytes */" + length)
            .build();
    return new HttpResponse(416, "Range Not Satisfiable", f, null);
  }

  private static boolean ifRangeMatches(HttpFields request, EntityTag etag, Instant lm) {
    String ifRange = request.first("If-Range").orElse(null);
    if (ifRange == null) {
      return true;
    }
    String v = ifRange.strip();
    if (v.startsWith("\"") || v.startsWith("W/")) {
      EntityTag t = EntityTag.parse(v).orElse(null);
      return t != null && etag != null && t.strongMatch(etag);
    }
    long d = HttpDates.parseEpochSeconds(v, lm == null ? Instant.EPOCH : lm);
    return lm != null && d == lm.getEpochSecond();
  }
}

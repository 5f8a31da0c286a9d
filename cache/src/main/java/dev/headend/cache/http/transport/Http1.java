package dev.headend.cache.http.transport;

import dev.headend.cache.http.HttpFields;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 message syntax (RFC 9112): head parsing, body framing and writing. Heads are parsed from
 * bytes with {@link #parseRequestHead}/{@link #parseResponseHead} (pure functions, fuzzed by the
 * tests); the stream helpers around them enforce the size limits while reading.
 */
final class Http1 {
  private Http1() {}

  static final int MAX_FIELDS = 128;

  /** A request line and fields. */
  record RequestHead(String method, String target, int minorVersion, HttpFields fields) {}

  /** A status line and fields. */
  record ResponseHead(int status, String reason, int minorVersion, HttpFields fields) {}

  // ------------------------------------------------------------------ parsing

  static RequestHead parseRequestHead(byte[] b, int len) throws MalformedHttpMessageException {
    int lineEnd = lineEnd(b, 0, len);
    int sp1 = indexOf(b, 0, lineEnd, (byte) ' ');
    if (sp1 <= 0) {
      throw new MalformedHttpMessageException("request line has no method", 0);
    }
    String method = ascii(b, 0, sp1);
    for (int i = 0; i < sp1; i++) {
      if (!isTchar(b[i])) {
        throw new MalformedHttpMessageException("method holds a non-token character", i);
      }
    }
    int sp2 = indexOf(b, sp1 + 1, lineEnd, (byte) ' ');
    if (sp2 <= sp1 + 1) {
      throw new MalformedHttpMessageException("request line has no target", sp1 + 1);
    }
    for (int i = sp1 + 1; i < sp2; i++) {
      if (b[i] <= 0x20 || b[i] == 0x7f) {
        throw new MalformedHttpMessageException("request target holds a control or space", i);
      }
    }
    String target = ascii(b, sp1 + 1, sp2);
    int minor = version(b, sp2 + 1, lineEnd);
    return new RequestHead(method, target, minor, fields(b, next(b, lineEnd), len));
  }

  static ResponseHead parseResponseHead(byte[] b, int len) throws MalformedHttpMessageException {
    int lineEnd = lineEnd(b, 0, len);
    if (lineEnd < 12 || b[8] != ' ') {
      throw new MalformedHttpMessageException("status line too short", 0);
    }
    int minor = version(b, 0, 8);
    int status = 0;
    for (int i = 9; i < 12; i++) {
      if (b[i] < '0' || b[i] > '9') {
        throw new MalformedHttpMessageException("status code is not three digits", i);
      }
      status = status * 10 + (b[i] - '0');
    }
    if (status < 100) {
      throw new MalformedHttpMessageException("status code below 100", 9);
    }
    String reason = "";
    if (lineEnd > 12) {
      if (b[12] != ' ') {
        throw new MalformedHttpMessageException("no space after the status code", 12);
      }
      for (int i = 13; i < lineEnd; i++) {
        if (b[i] < 0x20 && b[i] != '\t' || b[i] == 0x7f) {
          throw new MalformedHttpMessageException("reason phrase holds a control", i);
        }
      }
      reason = new String(b, 13, lineEnd - 13, StandardCharsets.ISO_8859_1);
    }
    return new ResponseHead(status, reason, minor, fields(b, next(b, lineEnd), len));
  }

  private static int version(byte[] b, int from, int to) throws MalformedHttpMessageException {
    if (to - from != 8
        || b[from] != 'H'
        || b[from + 1] != 'T'
        || b[from + 2] != 'T'
        || b[from + 3] != 'P'
        || b[from + 4] != '/'
        || b[from + 5] != '1'
        || b[from + 6] != '.'
        || (b[from + 7] != '0' && b[from + 7] != '1')) {
      throw new MalformedHttpMessageException("version is not HTTP/1.0 or HTTP/1.1", from);
    }
    return b[from + 7] - '0';
  }

  private static HttpFields fields(byte[] b, int at, int len) throws MalformedHttpMessageException {
    HttpFields.Builder fields = HttpFields.builder();
    int count = 0;
    while (at < len) {
      int end = lineEnd(b, at, len);
      if (end == at) {
        return fields.build();
      }
      if (b[at] == ' ' || b[at] == '\t') {
        throw new MalformedHttpMessageException("obsolete line folding", at);
      }
      int colon = indexOf(b, at, end, (byte) ':');
      if (colon <= at) {
        throw new MalformedHttpMessageException("field line has no name and colon", at);
      }
      for (int i = at; i < colon; i++) {
        if (!isTchar(b[i])) {
          throw new MalformedHttpMessageException("field name holds a non-token character", i);
        }
      }
      for (int i = colon + 1; i < end; i++) {
        if (b[i] < 0x20 && b[i] != '\t' || b[i] == 0x7f) {
          throw new MalformedHttpMessageException("field value holds a control", i);
        }
      }
      if (++count > MAX_FIELDS) {
        throw new MalformedHttpMessageException("more than " + MAX_FIELDS + " field lines", at);
      }
      fields.add(
          ascii(b, at, colon),
          new String(b, colon + 1, end - colon - 1, StandardCharsets.ISO_8859_1));
      at = next(b, end);
    }
    throw new MalformedHttpMessageException("head does not end with an empty line", len);
  }

  /** Index of the CR (or bare LF) ending the line that starts at {@code from}. */
  private static int lineEnd(byte[] b, int from, int len) throws MalformedHttpMessageException {
    for (int i = from; i < len; i++) {
      if (b[i] == '\n') {
        return i;
      }
      if (b[i] == '\r') {
        if (i + 1 < len && b[i + 1] == '\n') {
          return i;
        }
        throw new MalformedHttpMessageException("bare CR", i);
      }
    }
    throw new MalformedHttpMessageException("line not terminated", len);
  }

  private static int next(byte[] b, int lineEnd) {
    return b[lineEnd] == '\r' ? lineEnd + 2 : lineEnd + 1;
  }

  private static int indexOf(byte[] b, int from, int to, byte c) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isTchar(byte c) {
    return c >= 'a' && c <= 'z'
        || c >= 'A' && c <= 'Z'
        || c >= '0' && c <= '9'
        || c > 0 && "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  private static String ascii(byte[] b, int from, int to) {
    return new String(b, from, to - from, StandardCharsets.US_ASCII);
  }

  // ------------------------------------------------------------------ reading from a stream

  /**
   * Reads one head, up to and including its empty line. Returns {@code null} on a clean end of
   * stream before the first byte.
   */
  static byte[] readHead(InputStream in, int maxBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    int newlines = 0; // consecutive line ends, ignoring CR
    while (true) {
      int c = in.read();
      if (c < 0) {
        if (out.size() == 0) {
          return null;
        }
        throw new EOFException("stream ended inside a message head");
      }
      if (out.size() == 0 && (c == '\r' || c == '\n')) {
        continue; // RFC 9112 §2.2: ignore empty lines before a request line
      }
      out.write(c);
      if (out.size() > maxBytes) {
        throw new HeadTooLargeException(maxBytes);
      }
      if (c == '\n') {
        if (++newlines == 2) {
          return out.toByteArray();
        }
      } else if (c != '\r') {
        newlines = 0;
      }
    }
  }

  /** A head longer than the limit (answered with 431 or 502, not parsed). */
  static final class HeadTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    HeadTooLargeException(int max) {
      super("message head exceeds " + max + " bytes");
    }
  }

  /** A body larger than the limit. */
  static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(long max) {
      super("message content exceeds " + max + " bytes");
    }
  }

  /**
   * The content length a message declares: -1 for chunked, -2 for "until the connection closes"
   * (responses only), else the Content-Length (0 if absent on a request).
   */
  static long framing(HttpFields f, boolean request) throws MalformedHttpMessageException {
    String te = f.combined("Transfer-Encoding");
    if (te != null) {
      if (request && f.contains("Content-Length")) {
        throw new MalformedHttpMessageException(
            "both Transfer-Encoding and Content-Length (request smuggling)", 0);
      }
      String[] codings = te.split(",");
      String last = codings[codings.length - 1].strip();
      if (last.equalsIgnoreCase("chunked")) {
        return -1;
      }
      if (request) {
        throw new MalformedHttpMessageException("request transfer coding is not chunked", 0);
      }
      return -2;
    }
    String cl = f.combined("Content-Length");
    if (cl == null) {
      return request ? 0 : -2;
    }
    long value = -1;
    for (String part : cl.split(",", -1)) {
      String p = part.strip();
      if (p.isEmpty() || p.length() > 15) {
        throw new MalformedHttpMessageException("Content-Length is not a number: " + cl, 0);
      }
      long v = 0;
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        if (c < '0' || c > '9') {
          throw new MalformedHttpMessageException("Content-Length is not a number: " + cl, 0);
        }
        v = v * 10 + (c - '0');
      }
      if (value >= 0 && v != value) {
        throw new MalformedHttpMessageException("conflicting Content-Length values: " + cl, 0);
      }
      value = v;
    }
    return value;
  }

  /** Reads a body framed as {@link #framing} says, refusing more than {@code max} bytes. */
  static byte[] readBody(InputStream in, long framing, long max) throws IOException {
    if (framing >= 0) {
      if (framing > max) {
        throw new BodyTooLargeException(max);
      }
      byte[] body = in.readNBytes((int) framing);
      if (body.length != framing) {
        throw new EOFException("stream ended after " + body.length + " of " + framing + " bytes");
      }
      return body;
    }
    if (framing == -2) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        if (out.size() + n > max) {
          throw new BodyTooLargeException(max);
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
    return readChunked(in, max);
  }

  private static byte[] readChunked(InputStream in, long max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String line = readLine(in, 1024);
      int semi = line.indexOf(';');
      String hex = (semi < 0 ? line : line.substring(0, semi)).strip();
      if (hex.isEmpty() || hex.length() > 15) {
        throw new IOException("bad chunk size line: " + line);
      }
      long size;
      try {
        size = Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size: " + hex, e);
      }
      if (size < 0) {
        throw new IOException("bad chunk size: " + hex);
      }
      if (size == 0) {
        // trailer section: skipped, bounded
        for (int i = 0; ; i++) {
          if (readLine(in, 8192).isEmpty()) {
            return out.toByteArray();
          }
          if (i > MAX_FIELDS) {
            throw new IOException("too many trailer lines");
          }
        }
      }
      if (out.size() + size > max) {
        throw new BodyTooLargeException(max);
      }
      byte[] chunk = in.readNBytes((int) size);
      if (chunk.length != size) {
        throw new EOFException("stream ended inside a chunk");
      }
      out.write(chunk);
      if (!readLine(in, 2).isEmpty()) {
        throw new IOException("chunk data not followed by CRLF");
      }
    }
  }

  private static String readLine(InputStream in, int max) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("stream ended inside chunked framing");
      }
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      if (sb.length() >= max) {
        throw new IOException("chunked framing line longer than " + max);
      }
      sb.append((char) c);
    }
  }

  // ------------------------------------------------------------------ writing

  static void writeHead(OutputStream out, String startLine, HttpFields fields) throws IOException {
    StringBuilder sb = new StringBuilder(256).append(startLine).append("\r\n");
    fields.forEach((n, v) -> sb.append(n).append(": ").append(v).append("\r\n"));
    sb.append("\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
  }
}

package dev.headend.mail.smtp.client;

import java.io.ByteArrayOutputStream;

/**
 * Content as sent after DATA (RFC 5321 §4.5.2): every line end made CRLF (a bare CR or LF becomes
 * CRLF, so no peer can read a line end we did not mean), a dot doubled at the start of each line, a
 * final CRLF if missing, then {@code .CRLF}.
 */
final class DataEncoder {
  private DataEncoder() {}

  /** The content with canonical CRLF line ends (what SIZE counts). */
  static long canonicalSize(byte[] content) {
    long n = 0;
    for (int i = 0; i < content.length; i++) {
      byte b = content[i];
      if (b == '\r') {
        n += 2;
        if (i + 1 < content.length && content[i + 1] == '\n') {
          i++;
        }
      } else if (b == '\n') {
        n += 2;
      } else {
        n++;
      }
    }
    return n;
  }

  static byte[] encode(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + content.length / 50 + 8);
    boolean lineStart = true;
    for (int i = 0; i < content.length; i++) {
      byte b = content[i];
      if (b == '\r' || b == '\n') {
        if (b == '\r' && i + 1 < content.length && content[i + 1] == '\n') {
          i++;
        }
        out.write('\r');
        out.write('\n');
        lineStart = true;
        continue;
      }
      if (lineStart && b == '.') {
        out.write('.');
      }
      out.write(b);
      lineStart = false;
    }
    if (!lineStart) {
      out.write('\r');
      out.write('\n');
    }
    out.write('.');
    out.write('\r');
    out.write('\n');
    return out.toByteArray();
  }
}

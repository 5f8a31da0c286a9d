package dev.headend.mail.smtp;

import java.io.ByteArrayOutputStream;

/**
 * Dot-stuffing (RFC 5321 §4.5.2) for content sent with DATA, bare CR and LF kept as they are: the
 * inverse of {@link DataReader}, for the engine tests (the client encodes with its own {@code
 * DataEncoder}, which also makes every line end CRLF).
 */
final class Dot {
  private Dot() {}

  /**
   * The DATA transmission of {@code content}: a dot doubled at the start of every line, a CRLF
   * added if the content does not end with one, and the terminating {@code .CRLF}.
   */
  static byte[] stuff(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + content.length / 64 + 8);
    boolean lineStart = true;
    for (int i = 0; i < content.length; i++) {
      byte b = content[i];
      if (lineStart && b == '.') {
        out.write('.');
      }
      out.write(b);
      lineStart = b == '\n' && i > 0 && content[i - 1] == '\r';
    }
    if (content.length > 0 && !lineStart) {
      out.write('\r');
      out.write('\n');
    }
    out.write('.');
    out.write('\r');
    out.write('\n');
    return out.toByteArray();
  }
}

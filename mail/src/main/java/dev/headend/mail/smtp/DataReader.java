package dev.headend.mail.smtp;

import java.nio.ByteBuffer;

/**
 * Reads DATA content (RFC 5321 §4.1.1.4, §4.5.2): finds the terminating {@code <CRLF>.<CRLF>}
 * across any split of the input, removes the transparency dot from lines that start with one, and
 * stores at most {@code limit} octets (the rest is counted and dropped, so a huge message costs no
 * memory). Only CRLF ends a line: a bare LF or CR never starts the terminator (no SMTP smuggling).
 */
final class DataReader {
  private static final int MID = 0; // inside a line
  private static final int LINE_START = 1; // just after CRLF (or at the start of the data)
  private static final int DOT = 2; // a line began with '.'
  private static final int DOT_CR = 3; // a line began with ".\r"
  private static final int CR = 4; // saw CR inside a line

  private final ByteSink sink;
  private final long limit;
  private final int maxLine;
  private int state = LINE_START;
  private long lineLength;
  private long total;
  private boolean tooBig;
  private boolean lineTooLong;

  /**
   * @param sink where content goes
   * @param limit the most octets stored
   * @param maxLine the longest line, CRLF and stuffing dot included; 0 for none
   */
  DataReader(ByteSink sink, long limit, int maxLine) {
    this.sink = sink;
    this.limit = limit;
    this.maxLine = maxLine;
  }

  /**
   * Consumes input up to and including the terminating line, or all of it.
   *
   * @return true once the terminating line has been consumed
   */
  boolean consume(ByteBuffer in) {
    while (in.hasRemaining()) {
      if (state == MID) {
        copyRun(in);
        if (!in.hasRemaining()) {
          break;
        }
      }
      int b = in.get() & 0xff;
      lineLength++;
      switch (state) {
        case LINE_START -> {
          lineLength = 1;
          if (b == '.') {
            state = DOT;
          } else {
            mid(b);
          }
        }
        case DOT -> {
          if (b == '\r') {
            state = DOT_CR;
          } else {
            mid(b); // the leading dot was transparency: dropped
          }
        }
        case DOT_CR -> {
          if (b == '\n') {
            state = LINE_START;
            return true;
          }
          emit('\r'); // ".<CR>x": a stuffed line that starts with a bare CR
          mid(b);
        }
        case CR -> {
          if (b == '\n') {
            emit('\r');
            emit('\n');
            endLine();
            state = LINE_START;
          } else {
            emit('\r');
            mid(b);
          }
        }
        default -> mid(b);
      }
    }
    return false;
  }

  private void mid(int b) {
    if (b == '\r') {
      state = CR;
      return;
    }
    state = MID;
    emit(b);
    if (b == '\n') {
      endLine(); // a bare LF: not a line end for the terminator, but one for the length limit
    }
  }

  /** Inside a line: takes the bytes up to the next CR or LF in one copy. */
  private void copyRun(ByteBuffer in) {
    int start = in.position();
    int end = start;
    int limitAt = in.limit();
    if (in.hasArray()) {
      byte[] a = in.array();
      int off = in.arrayOffset();
      while (end < limitAt && a[off + end] != '\r' && a[off + end] != '\n') {
        end++;
      }
    } else {
      while (end < limitAt && in.get(end) != '\r' && in.get(end) != '\n') {
        end++;
      }
    }
    int n = end - start;
    if (n == 0) {
      return;
    }
    lineLength += n;
    long room = Math.max(0, limit - total);
    total += n;
    if (room < n) {
      tooBig = true;
    }
    sink.write(in, (int) Math.min(n, room));
    in.position(end);
  }

  private void endLine() {
    if (maxLine > 0 && lineLength > maxLine) {
      lineTooLong = true;
    }
    lineLength = 0;
  }

  private void emit(int b) {
    total++;
    if (total > limit) {
      tooBig = true;
      return;
    }
    sink.write(b);
  }

  /** Whether more than {@code limit} octets of content arrived. */
  boolean tooBig() {
    return tooBig;
  }

  /** Whether a line was longer than allowed. */
  boolean lineTooLong() {
    return lineTooLong || (maxLine > 0 && lineLength > maxLine);
  }

  /** Content octets seen, stored or not. */
  long total() {
    return total;
  }
}

package dev.headend.core.transport;

import dev.headend.core.StreamEngine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * A toy line protocol for exercising the stream transport: each complete line is an event; the
 * handler answers with {@link #reply}; {@link #quit} closes. Lines longer than {@code maxLine} get
 * "error: line too long" and the connection closes. If no complete line arrives within the optional
 * line timeout (an engine deadline, not the transport's idle timeout), it writes "timeout" and
 * closes. While {@code maxUnanswered} lines wait for replies it consumes no more input (pushback).
 */
final class LineEchoEngine implements StreamEngine<String> {
  private final StringBuilder line = new StringBuilder();
  private final ArrayDeque<String> events = new ArrayDeque<>();
  private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
  private final Duration lineTimeout;
  private final int maxLine;
  private final int maxUnanswered;
  private int unanswered;
  private Instant deadline;
  private boolean closed;
  private boolean inputEnded;

  LineEchoEngine(Instant now, Duration lineTimeout, int maxLine, int maxUnanswered) {
    this.lineTimeout = lineTimeout;
    this.maxLine = maxLine;
    this.maxUnanswered = maxUnanswered;
    this.deadline = lineTimeout == null ? null : now.plus(lineTimeout);
  }

  static LineEchoEngine simple(Instant now) {
    return new LineEchoEngine(now, null, 1024, 64);
  }

  void reply(String text) {
    if (closed) {
      return;
    }
    unanswered--;
    output.add(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)));
    closeIfDone();
  }

  /** Writes {@code bytes} as they are, not counted as a reply. */
  void write(ByteBuffer bytes) {
    output.add(bytes);
  }

  void quit(String farewell) {
    unanswered--;
    output.add(ByteBuffer.wrap((farewell + "\n").getBytes(StandardCharsets.UTF_8)));
    closed = true;
  }

  @Override
  public void receive(Instant now, ByteBuffer bytes) {
    while (!closed && bytes.hasRemaining() && unanswered < maxUnanswered) {
      byte b = bytes.get();
      if (b == '\n') {
        events.add(line.toString());
        line.setLength(0);
        unanswered++;
        if (lineTimeout != null) {
          deadline = now.plus(lineTimeout);
        }
      } else if (line.length() == maxLine) {
        output.add(ByteBuffer.wrap("error: line too long\n".getBytes(StandardCharsets.UTF_8)));
        closed = true;
      } else {
        line.append((char) (b & 0xff));
      }
    }
  }

  @Override
  public void endOfInput() {
    inputEnded = true;
    closeIfDone();
  }

  private void closeIfDone() {
    if (inputEnded && unanswered == 0 && events.isEmpty()) {
      closed = true;
    }
  }

  @Override
  public String nextEvent() {
    return events.poll();
  }

  @Override
  public ByteBuffer pollOutput() {
    return output.poll();
  }

  @Override
  public Instant pollTimeout() {
    return closed ? null : deadline;
  }

  @Override
  public void handleTimeout(Instant now) {
    if (deadline != null && !now.isBefore(deadline)) {
      output.add(ByteBuffer.wrap("timeout\n".getBytes(StandardCharsets.UTF_8)));
      closed = true;
      deadline = null;
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }
}

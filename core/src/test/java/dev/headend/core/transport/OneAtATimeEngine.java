package dev.headend.core.transport;

import dev.headend.core.StreamEngine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A toy engine that reads the next line only once the reply to the previous one has been taken by
 * {@link #pollOutput()} — the way a DNS engine waits out a zone transfer. It raises no events, so
 * only the adapter's handling of output can release its pushback.
 */
final class OneAtATimeEngine implements StreamEngine<String> {
  private final StringBuilder line = new StringBuilder();
  private ByteBuffer reply;
  private boolean inputEnded;

  @Override
  public void receive(Instant now, ByteBuffer bytes) {
    while (reply == null && bytes.hasRemaining()) {
      char c = (char) (bytes.get() & 0xff);
      if (c == '\n') {
        reply = ByteBuffer.wrap(("done " + line + "\n").getBytes(StandardCharsets.US_ASCII));
        line.setLength(0);
      } else {
        line.append(c);
      }
    }
  }

  @Override
  public void endOfInput() {
    inputEnded = true;
  }

  @Override
  public String nextEvent() {
    return null;
  }

  @Override
  public ByteBuffer pollOutput() {
    ByteBuffer r = reply;
    reply = null;
    return r;
  }

  @Override
  public Instant pollTimeout() {
    return null;
  }

  @Override
  public void handleTimeout(Instant now) {}

  @Override
  public boolean isClosed() {
    return inputEnded && reply == null;
  }
}

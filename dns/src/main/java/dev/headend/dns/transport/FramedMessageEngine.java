package dev.headend.dns.transport;

import dev.headend.core.StreamEngine;
import dev.headend.dns.wire.DnsTcpFramer;
import dev.headend.dns.wire.MalformedDnsMessageException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * DNS messages over one TCP connection, for adapters that answer elsewhere: each framed message
 * received becomes an event (a copy), and {@link #send} frames one to write. As a server it keeps
 * at most {@code maxOutstanding} messages unanswered (then stops reading: pushback) and closes
 * after the peer's end of input once all are answered; as a one-shot client it sends its query at
 * once and closes after the first message back.
 */
final class FramedMessageEngine implements StreamEngine<byte[]> {
  private final DnsTcpFramer framer = new DnsTcpFramer();
  private final ArrayDeque<byte[]> events = new ArrayDeque<>();
  private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
  private final int maxOutstanding;
  private final boolean oneShot;
  private int outstanding;
  private boolean inputEnded;
  private boolean closed;

  private FramedMessageEngine(int maxOutstanding, boolean oneShot) {
    this.maxOutstanding = maxOutstanding;
    this.oneShot = oneShot;
  }

  /** The server side of a client's connection. */
  static FramedMessageEngine server(int maxOutstanding) {
    return new FramedMessageEngine(maxOutstanding, false);
  }

  /** A client connection that sends {@code query} and waits for one response. */
  static FramedMessageEngine oneShot(byte[] query) {
    FramedMessageEngine e = new FramedMessageEngine(1, true);
    e.output.add(DnsTcpFramer.framed(query));
    return e;
  }

  /** Frames {@code message} for writing; as a server, it answers one outstanding message. */
  void send(byte[] message) {
    if (closed) {
      return;
    }
    output.add(DnsTcpFramer.framed(message));
    if (!oneShot && outstanding > 0) {
      outstanding--;
    }
  }

  @Override
  public void receive(Instant now, ByteBuffer bytes) {
    while (!closed && outstanding < maxOutstanding) {
      ByteBuffer message;
      try {
        message = framer.next(bytes);
      } catch (MalformedDnsMessageException e) {
        closed = true;
        return;
      }
      if (message == null) {
        return;
      }
      byte[] copy = new byte[message.remaining()];
      message.get(copy);
      events.add(copy);
      outstanding++;
    }
  }

  @Override
  public void endOfInput() {
    inputEnded = true;
  }

  @Override
  public byte[] nextEvent() {
    return events.poll();
  }

  @Override
  public ByteBuffer pollOutput() {
    return output.poll();
  }

  @Override
  public Instant pollTimeout() {
    return null;
  }

  @Override
  public void handleTimeout(Instant now) {}

  @Override
  public boolean isClosed() {
    if (closed) {
      return true;
    }
    if (oneShot) {
      return outstanding > 0 || inputEnded; // the response came (or never will)
    }
    return inputEnded && outstanding == 0 && output.isEmpty();
  }
}

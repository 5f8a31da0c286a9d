package dev.headend.tftp;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import dev.headend.tftp.wire.ErrorCode;
import dev.headend.tftp.wire.MalformedTftpPacketException;
import dev.headend.tftp.wire.TftpOption;
import dev.headend.tftp.wire.TftpPacket;
import dev.headend.tftp.wire.TftpPacket.ErrorPacket;
import dev.headend.tftp.wire.TftpPacket.OptionAck;
import dev.headend.tftp.wire.TftpPacket.Request;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;

/**
 * One TFTP transfer, from either side: a sans-I/O engine fed the datagrams that arrive on the
 * transfer's own port (its transfer ID, RFC 1350 §4). A server gets one from {@link TftpServer} for
 * each accepted request; a client makes one with {@link TftpClient}. The side that has the file
 * sends DATA and retransmits on timeout; the other acknowledges.
 *
 * <p>What it implements: option negotiation (RFC 2347-2349, 7440 windows), block numbers that wrap
 * past 65535 (to 0), retransmission with a retry cap, duplicate ACKs never answered twice with one
 * block at a time (the Sorcerer's Apprentice bug), a window resent from the first missing block
 * when the receiver reports a gap, packets from a wrong TID answered with ERROR 5 without touching
 * the transfer, and a receiver that lingers one timeout after the last ACK to re-acknowledge a
 * resent final block. Exactly one {@link TransferEvent} ends it. An engine with no deadline and
 * nothing left to send is finished; its socket can be closed.
 *
 * <p>Not thread-safe: drive each transfer from one thread at a time.
 */
public abstract sealed class TftpTransfer implements DatagramEngine<TransferEvent>
    permits SendingTransfer, ReceivingTransfer {

  /** Error replies to strangers (wrong TIDs) that may wait at once; more are dropped. */
  private static final int MAX_STRANGER_REPLIES = 8;

  private final String filename;
  final boolean netascii;
  private final Instant started;
  private final InetAddress peerHost;
  private InetSocketAddress peer;
  private final InetSocketAddress requestTarget;
  private final Request request;

  int blockSize = 512;
  int windowSize = 1;
  Duration timeout;
  final int maxRetries;
  long announcedSize = -1;

  private int retries;
  long retransmitted;
  private Instant deadline;
  private final ArrayDeque<Transmit> outbox = new ArrayDeque<>();
  private final ArrayDeque<Transmit> strangerReplies = new ArrayDeque<>();
  private final ArrayDeque<TransferEvent> events = new ArrayDeque<>(1);
  private boolean ended;
  private Runnable onEnd;

  /** A server-side transfer: the peer is the client that sent the request. */
  TftpTransfer(
      InetSocketAddress client, String filename, Negotiated n, int maxRetries, Instant now) {
    this.peer = Objects.requireNonNull(client, "client");
    this.peerHost = client.getAddress();
    this.filename = filename;
    this.netascii = n.netascii();
    this.blockSize = n.blockSize();
    this.windowSize = n.windowSize();
    this.timeout = n.timeout();
    this.announcedSize = n.transferSize();
    this.maxRetries = maxRetries;
    this.started = now;
    this.requestTarget = null;
    this.request = null;
  }

  /** A client-side transfer: sends {@code request} to {@code server} and locks onto the reply. */
  TftpTransfer(InetSocketAddress server, Request request, TransferOptions options, Instant now) {
    if (server.isUnresolved()) {
      throw new IllegalArgumentException("server address is unresolved: " + server);
    }
    this.peer = null;
    this.peerHost = server.getAddress();
    this.requestTarget = server;
    this.request = request;
    this.filename = request.filename();
    this.netascii = request.netascii();
    this.timeout = options.localTimeout();
    this.maxRetries = options.maxRetries();
    this.started = now;
    outbox.add(new Transmit(server, ByteBuffer.wrap(request.toBytes())));
    deadline = now.plus(timeout);
  }

  /** The file name the request named. */
  public final String filename() {
    return filename;
  }

  /** The peer's address and port (its TID), or {@code null} before a client's first reply. */
  public final InetSocketAddress peer() {
    return peer;
  }

  /** Whether this side sends the file (a server's read, a client's write). */
  public abstract boolean sending();

  /** The block size in use (negotiated, or 512). */
  public final int blockSize() {
    return blockSize;
  }

  /** Blocks per acknowledgement in use (negotiated, or 1). */
  public final int windowSize() {
    return windowSize;
  }

  /** The size the peer announced with {@code tsize}, or -1. */
  public final long announcedSize() {
    return announcedSize;
  }

  /** Content bytes moved so far. */
  public abstract long bytes();

  /** Whether the transfer has ended (successfully or not). */
  public final boolean ended() {
    return ended;
  }

  /**
   * Stops the transfer: tells the peer with ERROR 0 and {@code reason}, then reports {@link
   * TransferEvent.Failed}. Does nothing if the transfer has already ended.
   */
  public final void cancel(String reason) {
    fail(ErrorCode.NOT_DEFINED, reason, false, true);
  }

  void onEnd(Runnable callback) {
    this.onEnd = callback;
  }

  /** A server-side transfer queues its first packet (DATA 1, OACK or ACK 0). */
  abstract void begin(Instant now);

  /**
   * The transport is closing: the transfer stops as by {@link #cancel}, telling the peer.
   *
   * @param now the time of the shutdown
   */
  @Override
  public final void shutdown(Instant now) {
    cancel("shutting down");
  }

  @Override
  public final void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
    if (peer == null ? !from.getAddress().equals(peerHost) : !from.equals(peer)) {
      answerStranger(from, datagram);
      return;
    }
    TftpPacket p;
    try {
      p = TftpPacket.decode(datagram);
    } catch (MalformedTftpPacketException e) {
      if (peer != null && !ended) {
        fail(ErrorCode.ILLEGAL_OPERATION, "malformed packet: " + e.getMessage(), false, true);
      }
      return;
    }
    if (ended && !lingering()) {
      return;
    }
    if (peer == null) {
      peer = from; // RFC 1350 §4: the server's first reply fixes its TID
    }
    heardFromPeer = true;
    if (p instanceof ErrorPacket e) {
      if (!ended) {
        fail(ErrorCode.of(e.code()), e.message(), true, false);
      }
      return;
    }
    if (request != null && !requestAnswered) {
      requestAnswered = true;
      retries = 0;
      if (p instanceof OptionAck oack) {
        String refusal = acceptOptions(oack.options());
        if (refusal != null) {
          fail(ErrorCode.OPTION_REFUSED, refusal, false, true);
          return;
        }
        onOptionAck(now);
        return;
      }
    }
    onPacket(now, p);
  }

  private boolean requestAnswered;
  private boolean heardFromPeer;

  /** The longest wait between retransmissions, however often the timeout has doubled. */
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  /** A packet from the peer, past the TID, error and option checks. */
  abstract void onPacket(Instant now, TftpPacket p);

  /** A client's request was answered with an acceptable OACK. */
  abstract void onOptionAck(Instant now);

  /** Whether the transfer still answers its peer after it ended (a receiver's final dally). */
  boolean lingering() {
    return false;
  }

  private void answerStranger(InetSocketAddress from, ByteBuffer datagram) {
    if (isError(datagram)) {
      return; // never answer an error: two confused hosts would bounce errors forever
    }
    if (strangerReplies.size() < MAX_STRANGER_REPLIES) {
      ErrorPacket e = ErrorPacket.of(ErrorCode.UNKNOWN_TID, "unknown transfer ID");
      strangerReplies.add(new Transmit(from, ByteBuffer.wrap(e.toBytes())));
    }
  }

  /** Whether a datagram (decodable or not) carries the ERROR opcode: never to be answered. */
  static boolean isError(ByteBuffer datagram) {
    return datagram.remaining() >= 2 && datagram.getShort(datagram.position()) == TftpPacket.ERROR;
  }

  /** Checks a client's OACK against what it asked for; returns why it is refused, or null. */
  private String acceptOptions(List<TftpOption> offered) {
    int blk = 512;
    int win = 1;
    Duration t = timeout;
    long size = -1;
    for (TftpOption o : offered) {
      TftpOption asked = request.option(o.name());
      if (asked == null) {
        return "option " + o.name() + " was not requested";
      }
      long v = parse(o.value());
      long want = parse(asked.value());
      switch (o.key()) {
        case TftpOption.BLKSIZE -> {
          if (v < 8 || v > want) {
            return "blksize " + o.value() + " is not 8.." + want;
          }
          blk = (int) v;
        }
        case TftpOption.WINDOWSIZE -> {
          if (v < 1 || v > want) {
            return "windowsize " + o.value() + " is not 1.." + want;
          }
          win = (int) v;
        }
        case TftpOption.TIMEOUT -> {
          if (v != want) {
            return "timeout " + o.value() + " differs from the requested " + asked.value();
          }
          t = Duration.ofSeconds(v);
        }
        case TftpOption.TSIZE -> {
          if (v < 0) {
            return "tsize " + o.value() + " is not a size";
          }
          size = v;
        }
        default -> {
          // requested by the caller under a name we do not interpret: accept as echoed
        }
      }
    }
    blockSize = blk;
    windowSize = win;
    timeout = t;
    announcedSize = size;
    return null;
  }

  /** A decimal option value, or -1 if it is not one (or too long to be sane). */
  static long parse(String value) {
    if (value.isEmpty() || value.length() > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Queues a packet for the peer (before a client's first reply: for the request's target). */
  final void send(TftpPacket p) {
    outbox.add(new Transmit(peer != null ? peer : requestTarget, ByteBuffer.wrap(p.toBytes())));
  }

  /** Arms the retransmission timer and forgets earlier retries: the peer made progress. */
  final void progressed(Instant now) {
    retries = 0;
    deadline = now.plus(timeout);
  }

  /**
   * A timeout passed without progress: counts a retry and re-arms the timer, doubling the wait each
   * time up to 16 timeouts (RFC 1123 §4.2.3.2's exponential backoff; it also lets a peer's own
   * timer fire, which some receivers need before they acknowledge again). Returns false (after
   * failing the transfer) when the retries are used up.
   */
  final boolean retry(Instant now) {
    if (ended()) {
      deadline = null;
      return false;
    }
    if (++retries > maxRetries) {
      // A peer that never sent us anything may not exist (a spoofed request): it is not sent an
      // error. (Fewer retransmissions for such a peer were tried and dropped: a client that got
      // our first packet but whose every answer was lost is then stranded on a closed port.)
      boolean confirmed = heardFromPeer || request != null;
      fail(
          ErrorCode.NOT_DEFINED,
          "no answer after " + maxRetries + " retransmissions; giving up",
          false,
          confirmed);
      return false;
    }
    Duration wait = timeout.multipliedBy(1L << Math.min(retries, 4));
    Duration cap = timeout.compareTo(MAX_BACKOFF) > 0 ? timeout : MAX_BACKOFF;
    deadline = now.plus(wait.compareTo(cap) > 0 ? cap : wait);
    return true;
  }

  /**
   * After the last ACK: stays to answer a resent final block for four timeouts and at least 5 s,
   * since the sender's timer may be longer than ours and it only resends after it.
   */
  final void linger(Instant now) {
    Duration d = timeout.multipliedBy(4);
    deadline = now.plus(d.compareTo(LINGER_MIN) < 0 ? LINGER_MIN : d);
  }

  private static final Duration LINGER_MIN = Duration.ofSeconds(5);

  final void stopTimer() {
    deadline = null;
  }

  final void armTimer(Instant now) {
    deadline = now.plus(timeout);
  }

  /** Ends the transfer successfully (once). */
  final void complete(Instant now) {
    if (ended) {
      return;
    }
    ended = true;
    release(true);
    events.add(new TransferEvent.Completed(bytes(), retransmitted, Duration.between(started, now)));
    runOnEnd();
  }

  /** Ends the transfer with an error, telling the peer unless it sent the error. */
  final void fail(ErrorCode code, String message, boolean byPeer, boolean tellPeer) {
    if (ended) {
      return;
    }
    ended = true;
    deadline = null;
    try {
      if (tellPeer && peer != null) {
        send(ErrorPacket.of(code, message));
      }
    } finally {
      release(false);
      events.add(new TransferEvent.Failed(code, String.valueOf(message), byPeer));
      runOnEnd();
    }
  }

  private void runOnEnd() {
    if (onEnd != null) {
      Runnable r = onEnd;
      onEnd = null;
      r.run();
    }
  }

  /** Closes the content, or aborts the sink of a failed transfer. Must not throw. */
  abstract void release(boolean success);

  @Override
  public final void handleTimeout(Instant now) {
    if (deadline == null || now.isBefore(deadline)) {
      return;
    }
    if (request != null && !requestAnswered && !ended) {
      if (retry(now)) {
        retransmitted++;
        outbox.add(new Transmit(requestTarget, ByteBuffer.wrap(request.toBytes())));
      }
      return;
    }
    onTimeout(now);
  }

  /** The retransmission timer ran out (the request, if any, has been answered). */
  abstract void onTimeout(Instant now);

  @Override
  public final Instant pollTimeout() {
    return deadline;
  }

  @Override
  public final InetSocketAddress pollTransmit(ByteBuffer out) {
    Transmit t = pollQueued();
    if (t != null) {
      out.put(t.payload());
      return t.destination();
    }
    return ended ? null : nextData(out);
  }

  /** The next queued packet: the peer's first, then error replies to strangers; or null. */
  private Transmit pollQueued() {
    Transmit t = outbox.poll();
    return t != null ? t : strangerReplies.poll();
  }

  /** The next DATA block to send into {@code out}, returning the peer; or null. */
  InetSocketAddress nextData(ByteBuffer out) {
    return null;
  }

  @Override
  public final Transmit pollTransmit() {
    Transmit queued = pollQueued();
    if (queued != null) {
      return queued;
    }
    ByteBuffer b = ByteBuffer.allocate(4 + blockSize);
    InetSocketAddress to = pollTransmit(b);
    return to == null ? null : new Transmit(to, b.flip());
  }

  @Override
  public final TransferEvent pollEvent() {
    return events.poll();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + filename
        + " peer "
        + peer
        + " blksize "
        + blockSize
        + " window "
        + windowSize
        + " bytes "
        + bytes()
        + (ended ? " ended]" : "]");
  }
}

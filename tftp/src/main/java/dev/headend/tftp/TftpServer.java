package dev.headend.tftp;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import dev.headend.tftp.wire.ErrorCode;
import dev.headend.tftp.wire.MalformedTftpPacketException;
import dev.headend.tftp.wire.TftpOption;
import dev.headend.tftp.wire.TftpPacket;
import dev.headend.tftp.wire.TftpPacket.ErrorPacket;
import dev.headend.tftp.wire.TftpPacket.Request;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine behind a TFTP server's well-known port (69): reads requests, asks {@link TftpFiles}
 * for the file, negotiates options and hands each accepted transfer out as a {@link
 * TftpServerEvent.Accepted} event, to be driven on a fresh port (RFC 1350 §4). Refusals go back to
 * the client as ERROR packets from this port.
 *
 * <p>Options (RFC 2347): {@code blksize} is capped at {@link Builder#maxBlockSize}, {@code
 * windowsize} at {@link Builder#maxWindowSize} and at what fits in {@link Builder#windowMemory};
 * {@code timeout} is accepted as asked up to {@link Builder#maxTimeout} (10 s); {@code tsize} is
 * answered with the file's size for octet reads (except for an empty file: curl 7.88 refuses an
 * OACK with {@code tsize 0}, and leaving an option out is always allowed) and echoed for writes.
 * Options with invalid values and unknown options are left out of the OACK, as RFC 2347 allows. A
 * request repeated by a client whose transfer is running is ignored (the transfer retransmits by
 * itself); {@code mail} and unknown modes get ERROR 4.
 *
 * <p>Transfers may be driven on other threads: the server's count of running transfers is
 * thread-safe.
 */
public final class TftpServer implements DatagramEngine<TftpServerEvent> {
  private static final int MAX_QUEUED_REPLIES = 256;

  private final TftpFiles files;
  private final int maxBlockSize;
  private final int maxWindowSize;
  private final int windowMemory;
  private final Duration timeout;
  private final Duration maxTimeout;
  private final int maxRetries;
  private final int maxTransfers;
  private final int maxTransfersPerClient;

  private final Set<InetSocketAddress> running = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
  private final ArrayDeque<Transmit> replies = new ArrayDeque<>();
  private final ArrayDeque<TftpServerEvent> events = new ArrayDeque<>();

  private TftpServer(Builder b) {
    this.files = b.files;
    this.maxBlockSize = b.maxBlockSize;
    this.maxWindowSize = b.maxWindowSize;
    this.windowMemory = b.windowMemory;
    this.timeout = b.timeout;
    this.maxTimeout = b.maxTimeout;
    this.maxRetries = b.maxRetries;
    this.maxTransfers = b.maxTransfers;
    this.maxTransfersPerClient = b.maxTransfersPerClient;
  }

  /** A builder for a server of {@code files}. */
  public static Builder builder(TftpFiles files) {
    return new Builder(files);
  }

  /** Transfers accepted and not yet ended. */
  public int runningTransfers() {
    return running.size();
  }

  @Override
  public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
    TftpPacket p;
    try {
      p = TftpPacket.decode(datagram);
    } catch (MalformedTftpPacketException e) {
      if (!TftpTransfer.isError(datagram)) {
        reply(from, ErrorCode.ILLEGAL_OPERATION, "malformed request: " + e.getMessage());
      }
      events.add(new TftpServerEvent.Dropped(from, "malformed: " + e.getMessage()));
      return;
    }
    if (!(p instanceof Request r)) {
      if (!(p instanceof ErrorPacket)) {
        reply(from, ErrorCode.UNKNOWN_TID, "unknown transfer ID");
      }
      events.add(
          new TftpServerEvent.Dropped(from, "opcode " + p.opcode() + " on the request port"));
      return;
    }
    if (running.contains(from)) {
      events.add(new TftpServerEvent.Dropped(from, "repeated request; its transfer is running"));
      return;
    }
    String mode = r.modeKey();
    if (!mode.equals("octet") && !mode.equals("netascii")) {
      refuse(from, r, ErrorCode.ILLEGAL_OPERATION, "transfer mode " + r.mode() + " not supported");
      return;
    }
    if (running.size() >= maxTransfers) {
      refuse(from, r, ErrorCode.NOT_DEFINED, "server busy; try again later");
      return;
    }
    AtomicInteger mine = perClient.get(from.getAddress());
    if (mine != null && mine.get() >= maxTransfersPerClient) {
      refuse(from, r, ErrorCode.NOT_DEFINED, "too many transfers from " + from.getAddress());
      return;
    }
    long announced = r.write() ? announcedSize(r) : -1;
    TftpContent content = null;
    TftpSink sink = null;
    try {
      if (r.write()) {
        sink = files.openWrite(r.filename(), from, announced);
      } else {
        content = files.openRead(r.filename(), from);
      }
    } catch (TftpAccessException e) {
      refuse(from, r, e.code(), e.getMessage());
      return;
    } catch (NoSuchFileException e) {
      refuse(from, r, ErrorCode.FILE_NOT_FOUND, "no such file: " + r.filename());
      return;
    } catch (IOException | RuntimeException e) {
      refuse(from, r, ErrorCode.NOT_DEFINED, "could not open " + r.filename());
      return;
    }
    Negotiated n = negotiate(r, content == null ? -1 : content.size());
    TftpTransfer t =
        r.write()
            ? new ReceivingTransfer(from, r.filename(), n, maxRetries, sink, now)
            : new SendingTransfer(from, r.filename(), n, maxRetries, content, now);
    running.add(from);
    perClient.compute(
        from.getAddress(),
        (a, c) -> {
          AtomicInteger count = c == null ? new AtomicInteger() : c;
          count.incrementAndGet();
          return count;
        });
    t.onEnd(
        () -> {
          running.remove(from);
          perClient.computeIfPresent(
              from.getAddress(), (a, c) -> c.decrementAndGet() <= 0 ? null : c);
        });
    t.begin(now); // after onEnd, so a transfer that fails at once still frees its counts
    if (!t.ended()) {
      events.add(new TftpServerEvent.Accepted(t));
    } else {
      // nothing to drive: pass its one packet (the ERROR) on from the request port
      Transmit error;
      while ((error = t.pollTransmit()) != null) {
        replies.add(error);
      }
      TransferEvent.Failed f = (TransferEvent.Failed) t.pollEvent();
      events.add(new TftpServerEvent.Refused(from, r.filename(), f.code(), f.message()));
    }
  }

  private static long announcedSize(Request r) {
    TftpOption o = r.option(TftpOption.TSIZE);
    return o == null || r.netascii() ? -1 : TftpTransfer.parse(o.value());
  }

  /** The options this server agrees to, in the order the client sent them. */
  Negotiated negotiate(Request r, long contentSize) {
    int blk = 512;
    int win = 1;
    Duration t = timeout;
    long size = -1;
    Set<String> seen = new HashSet<>();
    List<TftpOption> accepted = new ArrayList<>(4);
    for (TftpOption o : r.options()) {
      if (!seen.add(o.key())) {
        continue; // only the first of a repeated option counts
      }
      long v = TftpTransfer.parse(o.value());
      switch (o.key()) {
        case TftpOption.BLKSIZE -> {
          if (v >= 8 && v <= TftpPacket.MAX_BLKSIZE) {
            blk = (int) Math.min(v, maxBlockSize);
            accepted.add(o);
          }
        }
        case TftpOption.WINDOWSIZE -> {
          if (v >= 1 && v <= 65535) {
            win = (int) Math.min(v, maxWindowSize);
            accepted.add(o);
          }
        }
        case TftpOption.TIMEOUT -> {
          if (v >= 1 && v <= 255 && v <= maxTimeout.getSeconds()) {
            t = Duration.ofSeconds(v);
            accepted.add(o);
          }
        }
        case TftpOption.TSIZE -> {
          if (r.netascii() || v < 0) {
            break; // a netascii size depends on translation: not offered
          }
          if (r.write()) {
            size = v;
            accepted.add(o);
          } else if (contentSize > 0) { // curl refuses "tsize 0": an empty file gets none
            accepted.add(new TftpOption(o.name(), Long.toString(contentSize)));
          }
        }
        default -> {
          // unknown options are left out of the OACK
        }
      }
    }
    win = Math.max(1, Math.min(win, windowMemory / blk));
    List<TftpOption> oack = new ArrayList<>(accepted.size());
    for (TftpOption o : accepted) {
      switch (o.key()) {
        case TftpOption.BLKSIZE -> oack.add(new TftpOption(o.name(), Integer.toString(blk)));
        case TftpOption.WINDOWSIZE -> oack.add(new TftpOption(o.name(), Integer.toString(win)));
        default -> oack.add(o);
      }
    }
    return new Negotiated(r.netascii(), blk, win, t, size, List.copyOf(oack));
  }

  private void refuse(InetSocketAddress client, Request r, ErrorCode code, String message) {
    reply(client, code, message);
    events.add(new TftpServerEvent.Refused(client, r.filename(), code, message));
  }

  private void reply(InetSocketAddress to, ErrorCode code, String message) {
    if (replies.size() < MAX_QUEUED_REPLIES) {
      replies.add(new Transmit(to, ByteBuffer.wrap(ErrorPacket.of(code, message).toBytes())));
    }
  }

  @Override
  public Transmit pollTransmit() {
    return replies.poll();
  }

  @Override
  public Instant pollTimeout() {
    return null;
  }

  @Override
  public void handleTimeout(Instant now) {
    // the request port keeps no timers: each transfer keeps its own
  }

  @Override
  public TftpServerEvent pollEvent() {
    return events.poll();
  }

  /** Settings of a {@link TftpServer}. */
  public static final class Builder {
    private final TftpFiles files;
    private int maxBlockSize = TftpPacket.MAX_BLKSIZE;
    private int maxWindowSize = 64;
    private int windowMemory = 256 << 10;
    private Duration timeout = Duration.ofSeconds(1);
    private Duration maxTimeout = Duration.ofSeconds(10);
    private int maxRetries = 5;
    private int maxTransfers = 512;
    private int maxTransfersPerClient = 16;

    Builder(TftpFiles files) {
      this.files = Objects.requireNonNull(files, "files");
    }

    /** The largest block size granted (8 to 65464; default 65464). */
    public Builder maxBlockSize(int bytes) {
      if (bytes < 8 || bytes > TftpPacket.MAX_BLKSIZE) {
        throw new IllegalArgumentException("maxBlockSize must be 8.." + TftpPacket.MAX_BLKSIZE);
      }
      this.maxBlockSize = bytes;
      return this;
    }

    /** The largest window granted (1 to 65535; default 64). */
    public Builder maxWindowSize(int blocks) {
      if (blocks < 1 || blocks > 65535) {
        throw new IllegalArgumentException("maxWindowSize must be 1..65535");
      }
      this.maxWindowSize = blocks;
      return this;
    }

    /**
     * Bytes of blocks a sending transfer may hold for its window (default 256 KiB, so the default
     * 512 transfers hold at most 128 MiB).
     */
    public Builder windowMemory(int bytes) {
      if (bytes < 8) {
        throw new IllegalArgumentException("windowMemory must be at least 8");
      }
      this.windowMemory = bytes;
      return this;
    }

    /** The retransmission timeout when the client asks for none (default 1 s). */
    public Builder timeout(Duration t) {
      if (t.isNegative() || t.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = t;
      return this;
    }

    /**
     * The longest {@code timeout} option honoured (default 10 s); a client asking for more gets no
     * timeout in the OACK and the server's own. Long timeouts let one silent client hold a transfer
     * slot for hours.
     */
    public Builder maxTimeout(Duration t) {
      if (t.getSeconds() < 1) {
        throw new IllegalArgumentException("maxTimeout must be at least 1 s");
      }
      this.maxTimeout = t;
      return this;
    }

    /** Retransmissions of one packet before a transfer gives up (default 5). */
    public Builder maxRetries(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("maxRetries must not be negative");
      }
      this.maxRetries = n;
      return this;
    }

    /** Transfers running at once; more requests get ERROR 0 (default 512). */
    public Builder maxTransfers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxTransfers must be positive");
      }
      this.maxTransfers = n;
      return this;
    }

    /** Transfers running at once for one client address (default 16). */
    public Builder maxTransfersPerClient(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxTransfersPerClient must be positive");
      }
      this.maxTransfersPerClient = n;
      return this;
    }

    /** The server. */
    public TftpServer build() {
      return new TftpServer(this);
    }
  }
}

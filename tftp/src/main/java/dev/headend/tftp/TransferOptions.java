package dev.headend.tftp;

import dev.headend.tftp.wire.TftpOption;
import dev.headend.tftp.wire.TftpPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a client asks for in its request: transfer mode, and the options of RFC 2348 (blksize), RFC
 * 2349 (timeout, tsize) and RFC 7440 (windowsize). {@link #defaults()} asks for nothing, which any
 * RFC 1350 server understands; each option is only sent when set.
 */
public final class TransferOptions {
  private static final TransferOptions DEFAULTS = new TransferOptions(0, 0, false, false, null, 5);

  private final int blockSize;
  private final int windowSize;
  private final boolean transferSize;
  private final boolean netascii;
  private final Duration timeout;
  private final int maxRetries;

  private TransferOptions(
      int blockSize,
      int windowSize,
      boolean transferSize,
      boolean netascii,
      Duration timeout,
      int maxRetries) {
    this.blockSize = blockSize;
    this.windowSize = windowSize;
    this.transferSize = transferSize;
    this.netascii = netascii;
    this.timeout = timeout;
    this.maxRetries = maxRetries;
  }

  /** Octet mode, no options, 1 s timeout, 5 retries. */
  public static TransferOptions defaults() {
    return DEFAULTS;
  }

  /** Asks for blocks of {@code bytes} (8 to 65464). */
  public TransferOptions blockSize(int bytes) {
    if (bytes < 8 || bytes > TftpPacket.MAX_BLKSIZE) {
      throw new IllegalArgumentException("blksize must be 8.." + TftpPacket.MAX_BLKSIZE);
    }
    return new TransferOptions(bytes, windowSize, transferSize, netascii, timeout, maxRetries);
  }

  /** Asks for {@code blocks} blocks per acknowledgement (1 to 65535). */
  public TransferOptions windowSize(int blocks) {
    if (blocks < 1 || blocks > 65535) {
      throw new IllegalArgumentException("windowsize must be 1..65535");
    }
    return new TransferOptions(blockSize, blocks, transferSize, netascii, timeout, maxRetries);
  }

  /** Asks for the file's size (read) or announces it (write) with {@code tsize}; octet only. */
  public TransferOptions transferSize(boolean on) {
    return new TransferOptions(blockSize, windowSize, on, netascii, timeout, maxRetries);
  }

  /** Netascii mode instead of octet (text: line ends become CR LF on the wire). */
  public TransferOptions netascii(boolean on) {
    return new TransferOptions(blockSize, windowSize, transferSize, on, timeout, maxRetries);
  }

  /** Asks both sides to wait {@code t} (1 to 255 whole seconds) before retransmitting. */
  public TransferOptions timeout(Duration t) {
    Objects.requireNonNull(t, "timeout");
    if (t.toMillis() % 1000 != 0 || t.getSeconds() < 1 || t.getSeconds() > 255) {
      throw new IllegalArgumentException("timeout must be 1..255 whole seconds");
    }
    return new TransferOptions(blockSize, windowSize, transferSize, netascii, t, maxRetries);
  }

  /** Retransmissions of one packet before giving up (default 5). */
  public TransferOptions maxRetries(int n) {
    if (n < 0 || n > 100) {
      throw new IllegalArgumentException("maxRetries must be 0..100");
    }
    return new TransferOptions(blockSize, windowSize, transferSize, netascii, timeout, n);
  }

  boolean isNetascii() {
    return netascii;
  }

  int maxRetries() {
    return maxRetries;
  }

  /** The local retransmission timeout: the negotiated one, else 1 s. */
  Duration localTimeout() {
    return timeout == null ? Duration.ofSeconds(1) : timeout;
  }

  /** The options of a request; {@code size} is the announced size of a write, or -1. */
  List<TftpOption> requestOptions(boolean write, long size) {
    List<TftpOption> out = new ArrayList<>(4);
    if (blockSize > 0) {
      out.add(new TftpOption(TftpOption.BLKSIZE, Integer.toString(blockSize)));
    }
    if (timeout != null) {
      out.add(new TftpOption(TftpOption.TIMEOUT, Long.toString(timeout.getSeconds())));
    }
    if (transferSize && !netascii && (!write || size >= 0)) {
      out.add(new TftpOption(TftpOption.TSIZE, Long.toString(write ? size : 0)));
    }
    if (windowSize > 0) {
      out.add(new TftpOption(TftpOption.WINDOWSIZE, Integer.toString(windowSize)));
    }
    return out;
  }

  int requestedBlockSize() {
    return blockSize;
  }

  int requestedWindowSize() {
    return windowSize;
  }

  @Override
  public String toString() {
    return "TransferOptions"
        + requestOptions(false, 0)
        + (netascii ? " netascii" : " octet")
        + " retries "
        + maxRetries;
  }
}

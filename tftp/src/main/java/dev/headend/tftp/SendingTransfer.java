package dev.headend.tftp;

import dev.headend.tftp.wire.ErrorCode;
import dev.headend.tftp.wire.Netascii;
import dev.headend.tftp.wire.TftpPacket;
import dev.headend.tftp.wire.TftpPacket.Ack;
import dev.headend.tftp.wire.TftpPacket.OptionAck;
import dev.headend.tftp.wire.TftpPacket.Request;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * The side with the file: keeps one window of blocks read ahead, sends them, slides on ACKs and
 * resends from the first unacknowledged block on timeout or when the receiver reports a gap. Block
 * numbers are kept as longs and written modulo 65536.
 */
final class SendingTransfer extends TftpTransfer {
  private static final System.Logger LOG = System.getLogger(SendingTransfer.class.getName());

  private final TftpContent content;
  private final Netascii.Encoder encoder;
  private final OptionAck optionAck;
  private ByteBuffer raw;
  private boolean sourceEnded;
  private ByteBuffer[] slots;
  private boolean started;
  private long base = 1; // first block not yet acknowledged
  private long filled; // last block read into a slot
  private long next = 1; // next block to send
  private long highestSent;
  private long finalBlock = -1;
  private boolean resentForDuplicate;
  private long bytes;

  /** A server answering a read request. */
  SendingTransfer(
      InetSocketAddress client,
      String filename,
      Negotiated n,
      int maxRetries,
      TftpContent content,
      Instant now) {
    super(client, filename, n, maxRetries, now);
    this.content = content;
    this.encoder = netascii ? new Netascii.Encoder() : null;
    this.optionAck = n.optionAck();
  }

  @Override
  void begin(Instant now) {
    if (optionAck != null) {
      send(optionAck);
      armTimer(now);
    } else {
      startData(now);
    }
  }

  /** A client writing a file. */
  SendingTransfer(
      InetSocketAddress server,
      Request request,
      TransferOptions options,
      TftpContent content,
      Instant now) {
    super(server, request, options, now);
    this.content = content;
    this.encoder = netascii ? new Netascii.Encoder() : null;
    this.optionAck = null;
  }

  @Override
  public boolean sending() {
    return true;
  }

  @Override
  public long bytes() {
    return bytes;
  }

  private void startData(Instant now) {
    started = true;
    slots = new ByteBuffer[windowSize];
    fill();
    if (!ended()) {
      progressed(now);
    }
  }

  /** Reads blocks until the window is full or the final (short) block is in. */
  private void fill() {
    while (finalBlock < 0 && filled < base - 1 + windowSize && !ended()) {
      long block = filled + 1;
      int i = slot(block);
      ByteBuffer s = slots[i];
      if (s == null) {
        s = slots[i] = ByteBuffer.allocate(blockSize);
      }
      s.clear();
      try {
        readBlock(s);
      } catch (IOException e) {
        fail(
            ErrorCode.NOT_DEFINED,
            "could not read " + filename() + ": " + e.getMessage(),
            false,
            true);
        return;
      }
      s.flip();
      filled = block;
      if (s.remaining() < blockSize) {
        finalBlock = block;
      }
    }
  }

  private void readBlock(ByteBuffer s) throws IOException {
    if (encoder == null) {
      while (s.hasRemaining() && !sourceEnded) {
        if (content.read(s) < 0) {
          sourceEnded = true;
        }
      }
      return;
    }
    if (raw == null) {
      raw = ByteBuffer.allocate(blockSize).flip();
    }
    while (s.hasRemaining()) {
      if (raw.hasRemaining() || encoder.hasPending()) {
        encoder.translate(raw, s);
      } else if (sourceEnded) {
        return;
      } else {
        raw.clear();
        if (content.read(raw) < 0) {
          sourceEnded = true;
        }
        raw.flip();
      }
    }
  }

  private int slot(long block) {
    return (int) (block % windowSize);
  }

  @Override
  void onOptionAck(Instant now) {
    startData(now);
  }

  @Override
  void onPacket(Instant now, TftpPacket p) {
    if (p instanceof Ack a) {
      if (!started) {
        if (a.block() == 0) {
          startData(now); // the OACK was accepted, or a plain WRQ was
        }
        return;
      }
      onAck(now, a.block());
    } else if (!(p instanceof OptionAck)) {
      // a repeated OACK (our DATA 1 was lost) is answered by the timer; anything else is wrong
      fail(ErrorCode.ILLEGAL_OPERATION, "expected an ACK, got opcode " + p.opcode(), false, true);
    }
  }

  private void onAck(Instant now, int wire) {
    long last = base - 1;
    long acked = last + ((wire - (int) (last & 0xffff)) & 0xffff);
    if (acked > highestSent) {
      return; // an ACK for a block not sent (a stale one from before a wrap)
    }
    if (acked == last) {
      // A repeat of the ACK that last moved the window. With one block in flight this is the
      // Sorcerer's Apprentice case: answering it would double every later block, so only the
      // timer resends. With a window it means the receiver lost the next block (RFC 7440).
      if (windowSize > 1 && !resentForDuplicate) {
        resentForDuplicate = true;
        next = base;
      }
      return;
    }
    for (long b = base; b <= acked; b++) {
      bytes += slots[slot(b)].limit();
    }
    base = acked + 1;
    next = base; // past a gap (acked < highestSent) the rest of the window is sent again
    resentForDuplicate = false;
    if (acked == finalBlock) {
      stopTimer();
      complete(now);
      return;
    }
    fill();
    if (!ended()) {
      progressed(now);
    }
  }

  @Override
  InetSocketAddress nextData(ByteBuffer out) {
    if (!started || next > filled || next > base - 1 + windowSize) {
      return null;
    }
    ByteBuffer s = slots[slot(next)];
    out.putShort((short) TftpPacket.DATA).putShort((short) next).put(s.duplicate());
    if (next <= highestSent) {
      retransmitted++;
    } else {
      highestSent = next;
    }
    next++;
    return peer();
  }

  @Override
  void onTimeout(Instant now) {
    if (!retry(now)) {
      return;
    }
    if (!started) {
      retransmitted++;
      send(optionAck);
    } else {
      next = base;
    }
  }

  @Override
  void release(boolean success) {
    try {
      content.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "closing the content of " + filename() + " failed", e);
    }
  }
}

package dev.headend.tftp;

import dev.headend.tftp.wire.ErrorCode;
import dev.headend.tftp.wire.Netascii;
import dev.headend.tftp.wire.TftpPacket;
import dev.headend.tftp.wire.TftpPacket.Ack;
import dev.headend.tftp.wire.TftpPacket.Data;
import dev.headend.tftp.wire.TftpPacket.OptionAck;
import dev.headend.tftp.wire.TftpPacket.Request;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * The side that stores the file: writes blocks in order, acknowledges every window (and the final
 * block), reports a gap by acknowledging the last block it has, and after the final block lingers
 * one timeout to acknowledge it again if the sender did not hear the first ACK.
 */
final class ReceivingTransfer extends TftpTransfer {
  private final TftpSink sink;
  private final Netascii.Decoder decoder;
  private final OptionAck optionAck;
  private ByteBuffer translated;
  private long expected = 1; // next block wanted
  private int sinceAck;
  private boolean reportedSinceProgress;
  private boolean finished;
  private long bytes;

  /** A server answering a write request. */
  ReceivingTransfer(
      InetSocketAddress client,
      String filename,
      Negotiated n,
      int maxRetries,
      TftpSink sink,
      Instant now) {
    super(client, filename, n, maxRetries, now);
    this.sink = sink;
    this.decoder = netascii ? new Netascii.Decoder() : null;
    this.optionAck = n.optionAck();
  }

  @Override
  void begin(Instant now) {
    send(optionAck != null ? optionAck : new Ack(0));
    armTimer(now);
  }

  /** A client reading a file. */
  ReceivingTransfer(
      InetSocketAddress server,
      Request request,
      TransferOptions options,
      TftpSink sink,
      Instant now) {
    super(server, request, options, now);
    this.sink = sink;
    this.decoder = netascii ? new Netascii.Decoder() : null;
    this.optionAck = null;
  }

  @Override
  public boolean sending() {
    return false;
  }

  @Override
  public long bytes() {
    return bytes;
  }

  @Override
  boolean lingering() {
    return finished;
  }

  @Override
  void onOptionAck(Instant now) {
    send(new Ack(0));
    progressed(now);
  }

  @Override
  void onPacket(Instant now, TftpPacket p) {
    if (p instanceof Data d) {
      onData(now, d);
    } else if (p instanceof OptionAck) {
      if (expected == 1 && optionAck == null && !finished) {
        send(new Ack(0)); // the server did not hear our ACK of its OACK
      }
    } else if (!finished) {
      fail(ErrorCode.ILLEGAL_OPERATION, "expected DATA, got opcode " + p.opcode(), false, true);
    }
  }

  private void onData(Instant now, Data d) {
    int have = (int) ((expected - 1) & 0xffff);
    if (finished) {
      if (d.block() == have) {
        send(new Ack(have)); // our final ACK was lost
        linger(now);
      }
      return;
    }
    if (d.length() > blockSize) {
      fail(
          ErrorCode.ILLEGAL_OPERATION,
          "DATA block of " + d.length() + " bytes is larger than the blksize " + blockSize,
          false,
          true);
      return;
    }
    int ahead = (d.block() - (int) (expected & 0xffff)) & 0xffff;
    if (ahead != 0) {
      // A block we already have (ahead >= 0x8000: our ACK was lost) or one past a gap. Either way
      // the answer is the ACK of the last block in order; with a window, once per progress, so a
      // resent window does not bring one ACK (and one resend) per block.
      if (windowSize == 1 || !reportedSinceProgress) {
        reportedSinceProgress = true;
        sinceAck = 0;
        send(new Ack(have));
      }
      return;
    }
    if (!store(d.data())) {
      return;
    }
    expected++;
    sinceAck++;
    reportedSinceProgress = false;
    if (d.length() < blockSize) {
      finish(now, d.block());
      return;
    }
    if (sinceAck >= windowSize) {
      sinceAck = 0;
      send(new Ack(d.block()));
    }
    progressed(now);
  }

  private boolean store(ByteBuffer data) {
    int n;
    try {
      if (decoder == null) {
        n = data.remaining();
        sink.write(data.duplicate());
      } else {
        if (translated == null) {
          translated = ByteBuffer.allocate(blockSize + 1);
        }
        translated.clear();
        decoder.translate(data.duplicate(), translated);
        n = translated.flip().remaining();
        sink.write(translated);
      }
    } catch (TftpAccessException | IOException e) {
      refused(e);
      return false;
    }
    bytes += n;
    return true;
  }

  private void finish(Instant now, int lastBlock) {
    try {
      if (decoder != null) {
        translated.clear();
        decoder.finish(translated);
        if (translated.position() > 0) {
          bytes += translated.flip().remaining();
          sink.write(translated);
        }
      }
      sink.commit();
    } catch (TftpAccessException | IOException e) {
      refused(e);
      return;
    }
    send(new Ack(lastBlock));
    finished = true;
    complete(now);
    linger(now); // the sender may not have heard the final ACK
  }

  /** The sink refused or failed: the sender is told with the sink's code, or ERROR 0. */
  private void refused(Exception e) {
    if (e instanceof TftpAccessException a) {
      fail(a.code(), a.getMessage(), false, true);
    } else {
      fail(
          ErrorCode.NOT_DEFINED,
          "could not store " + filename() + ": " + e.getMessage(),
          false,
          true);
    }
  }

  @Override
  void onTimeout(Instant now) {
    if (finished) {
      stopTimer();
      return;
    }
    if (!retry(now)) {
      return;
    }
    retransmitted++;
    sinceAck = 0;
    if (expected == 1 && optionAck != null) {
      send(optionAck);
    } else {
      send(new Ack((int) ((expected - 1) & 0xffff)));
    }
  }

  @Override
  void release(boolean success) {
    if (!success) {
      sink.abort();
    }
  }
}

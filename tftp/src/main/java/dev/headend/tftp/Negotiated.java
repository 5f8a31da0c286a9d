package dev.headend.tftp;

import dev.headend.tftp.wire.TftpOption;
import dev.headend.tftp.wire.TftpPacket.OptionAck;
import java.time.Duration;
import java.util.List;

/**
 * What a server agreed to for one transfer.
 *
 * @param acknowledged the options to put in the OACK; empty means no OACK (plain RFC 1350)
 * @param transferSize the size announced by the client's tsize (a write), or -1
 */
record Negotiated(
    boolean netascii,
    int blockSize,
    int windowSize,
    Duration timeout,
    long transferSize,
    List<TftpOption> acknowledged) {

  /** The OACK to send, or {@code null} when no option was accepted. */
  OptionAck optionAck() {
    return acknowledged.isEmpty() ? null : new OptionAck(acknowledged);
  }
}

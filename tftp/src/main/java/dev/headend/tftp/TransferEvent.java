package dev.headend.tftp;

import dev.headend.tftp.wire.ErrorCode;
import java.time.Duration;

/** What a {@link TftpTransfer} reports: it finished, or it failed. Exactly one per transfer. */
public sealed interface TransferEvent {

  /**
   * Every block arrived (receiving) or was acknowledged (sending); a received file has been
   * committed to its sink.
   *
   * @param bytes content bytes moved (after netascii translation on the receiving side)
   * @param retransmitted packets sent again after a timeout or a loss signal
   * @param elapsed time from the transfer's start to its end
   */
  record Completed(long bytes, long retransmitted, Duration elapsed) implements TransferEvent {}

  /**
   * The transfer stopped before its end; a received file was aborted.
   *
   * @param code the TFTP error code sent or received
   * @param message the message sent or received
   * @param byPeer whether the peer sent the error (rather than this side giving up)
   */
  record Failed(ErrorCode code, String message, boolean byPeer) implements TransferEvent {}
}

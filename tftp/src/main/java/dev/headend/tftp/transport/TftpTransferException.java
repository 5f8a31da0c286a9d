package dev.headend.tftp.transport;

import dev.headend.tftp.TftpTransfer;
import dev.headend.tftp.TransferEvent;
import dev.headend.tftp.wire.ErrorCode;

/** A client transfer that failed: the error code and message sent or received. */
public final class TftpTransferException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient TransferEvent.Failed failure;

  TftpTransferException(TftpTransfer transfer, TransferEvent.Failed failure) {
    super(
        transfer.filename()
            + ": "
            + (failure.byPeer() ? "server sent error " : "gave up with error ")
            + failure.code().code()
            + " ("
            + failure.message()
            + ")");
    this.failure = failure;
  }

  /** The TFTP error code. */
  public ErrorCode code() {
    return failure.code();
  }

  /** Whether the server sent the error. */
  public boolean byPeer() {
    return failure.byPeer();
  }
}

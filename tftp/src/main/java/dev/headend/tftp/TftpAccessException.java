package dev.headend.tftp;

import dev.headend.tftp.wire.ErrorCode;
import java.util.Objects;

/**
 * A refusal from {@link TftpFiles} or a {@link TftpSink}: the file is missing, outside the root,
 * too big, already there. The engine answers the peer with an ERROR packet carrying {@link #code()}
 * and the message.
 */
public final class TftpAccessException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient ErrorCode code;

  /** A refusal answered with {@code code} and {@code message}. */
  public TftpAccessException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The TFTP error code sent to the peer. */
  public ErrorCode code() {
    return code;
  }
}

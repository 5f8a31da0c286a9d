package dev.headend.tftp.wire;

/** The error codes of RFC 1350 and RFC 2347. */
public enum ErrorCode {
  /** 0: not defined, see the message. */
  NOT_DEFINED(0),
  /** 1: file not found. */
  FILE_NOT_FOUND(1),
  /** 2: access violation. */
  ACCESS_VIOLATION(2),
  /** 3: disk full or allocation exceeded. */
  DISK_FULL(3),
  /** 4: illegal TFTP operation. */
  ILLEGAL_OPERATION(4),
  /** 5: unknown transfer ID. */
  UNKNOWN_TID(5),
  /** 6: file already exists. */
  FILE_EXISTS(6),
  /** 7: no such user. */
  NO_SUCH_USER(7),
  /** 8: option negotiation refused (RFC 2347). */
  OPTION_REFUSED(8);

  private final int code;

  ErrorCode(int code) {
    this.code = code;
  }

  /**
   * The code with this wire value; values outside RFC 1350 and 2347 map to {@link #NOT_DEFINED}.
   */
  public static ErrorCode of(int code) {
    ErrorCode[] all = values();
    return code >= 0 && code < all.length ? all[code] : NOT_DEFINED;
  }

  /** The wire value. */
  public int code() {
    return code;
  }
}

package dev.headend.tftp.wire;

import java.util.Locale;
import java.util.Objects;

/**
 * One option of a request or OACK (RFC 2347): a name and a value, both as sent. Names compare
 * without regard to case ({@link #is}); the spelling is kept so a packet re-encodes byte for byte.
 *
 * @param name the option name as sent
 * @param value the option value as sent
 */
public record TftpOption(String name, String value) {
  /** Option {@code blksize} (RFC 2348). */
  public static final String BLKSIZE = "blksize";

  /** Option {@code timeout} (RFC 2349), in seconds. */
  public static final String TIMEOUT = "timeout";

  /** Option {@code tsize} (RFC 2349), the transfer size in octets. */
  public static final String TSIZE = "tsize";

  /** Option {@code windowsize} (RFC 7440), blocks per acknowledgement. */
  public static final String WINDOWSIZE = "windowsize";

  /** Checks neither part is null or holds NUL. */
  public TftpOption {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.isEmpty() || name.indexOf(0) >= 0 || value.indexOf(0) >= 0) {
      throw new IllegalArgumentException(
          "option name must be non-empty; neither part may hold NUL");
    }
  }

  /** Whether this option's name is {@code name}, ignoring case. */
  public boolean is(String optionName) {
    return name.equalsIgnoreCase(optionName);
  }

  /** The lowercased name. */
  public String key() {
    return name.toLowerCase(Locale.ROOT);
  }
}

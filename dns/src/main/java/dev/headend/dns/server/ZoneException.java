package dev.headend.dns.server;

/**
 * A zone could not be loaded: a master file that does not parse ({@code "example.test.zone:12:
 * Invalid address: 1.2.3"}) or records that break the rules of a zone (no SOA, CNAME beside other
 * data, an owner outside the origin...). The message names the zone and the offending record.
 */
public final class ZoneException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A zone error with its explanation. */
  public ZoneException(String message) {
    super(message);
  }

  /** A zone error caused by another failure (the parser's). */
  public ZoneException(String message, Throwable cause) {
    super(message, cause);
  }
}

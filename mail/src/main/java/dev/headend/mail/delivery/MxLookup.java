package dev.headend.mail.delivery;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * The DNS a mail sender needs (RFC 5321 §5.1): a domain's MX records and a host's addresses. A
 * small interface so that tests can fake DNS; {@link #dns} asks a recursive resolver through the
 * dns module's stub resolver.
 */
public interface MxLookup {

  /**
   * The MX records of {@code domain}, in any order; empty when the domain exists and has none (then
   * its own A/AAAA are used).
   *
   * @throws LookupException if the domain does not exist (permanent) or DNS failed (transient)
   */
  List<MxRecord> mx(String domain) throws LookupException;

  /**
   * The IPv4 and IPv6 addresses of {@code host}; empty if it has none.
   *
   * @throws LookupException if the name does not exist (permanent) or DNS failed (transient)
   */
  List<InetAddress> addresses(String host) throws LookupException;

  /**
   * A lookup through {@code resolver} (a started {@link dev.headend.dns.transport.StubResolver}),
   * waiting at most {@code timeout} per query.
   */
  static MxLookup dns(dev.headend.dns.transport.StubResolver resolver, Duration timeout) {
    return new DnsMxLookup(resolver, timeout);
  }

  /**
   * An MX record.
   *
   * @param preference lower is tried first
   * @param host the exchange's name, without the trailing dot; {@code "."} or empty is the null MX
   */
  record MxRecord(int preference, String host) {}

  /** A failed lookup: NXDOMAIN ({@link #permanent()}) or a DNS problem worth retrying. */
  final class LookupException extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean permanent;

    /** A lookup failure; {@code permanent} when the name does not exist. */
    public LookupException(String message, boolean permanent) {
      super(message);
      this.permanent = permanent;
    }

    /** Whether retrying cannot help (NXDOMAIN). */
    public boolean permanent() {
      return permanent;
    }
  }
}

package dev.headend.dhcp.wire;

import java.util.Optional;

/**
 * The DHCP message type, option 53 (RFC 2132 §9.6), with the later types of RFC 3203 (FORCERENEW),
 * RFC 4388 (leasequery), RFC 6926 (bulk leasequery) and RFC 7724 (active leasequery).
 */
public enum DhcpMessageType {
  /** Client broadcast to locate servers. */
  DISCOVER(1),
  /** Server offer of an address and parameters. */
  OFFER(2),
  /** Client request of offered parameters, or renewal/rebinding of a lease. */
  REQUEST(3),
  /** Client report that the offered address is already in use. */
  DECLINE(4),
  /** Server acknowledgement with the committed parameters. */
  ACK(5),
  /** Server refusal: the client's notion of its address is wrong or the lease expired. */
  NAK(6),
  /** Client relinquishing its address. */
  RELEASE(7),
  /** Client asking for local parameters only; it already has an address. */
  INFORM(8),
  /** Server asking a client to renew (RFC 3203). */
  FORCERENEW(9),
  /** Leasequery (RFC 4388). */
  LEASEQUERY(10),
  /** Leasequery reply: the server knows the address but it is not leased (RFC 4388). */
  LEASEUNASSIGNED(11),
  /** Leasequery reply: the server knows nothing of the address (RFC 4388). */
  LEASEUNKNOWN(12),
  /** Leasequery reply: the address is leased (RFC 4388). */
  LEASEACTIVE(13),
  /** Bulk leasequery (RFC 6926). */
  BULKLEASEQUERY(14),
  /** End of a bulk leasequery reply (RFC 6926). */
  LEASEQUERYDONE(15),
  /** Active leasequery (RFC 7724). */
  ACTIVELEASEQUERY(16),
  /** Leasequery status (RFC 7724). */
  LEASEQUERYSTATUS(17),
  /** TLS negotiation for active leasequery (RFC 7724). */
  TLS(18);

  private static final DhcpMessageType[] BY_CODE = new DhcpMessageType[19];

  static {
    for (DhcpMessageType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;

  DhcpMessageType(int code) {
    this.code = code;
  }

  /** The value carried in option 53. */
  public int code() {
    return code;
  }

  /** The type with this option 53 value, or empty for an unassigned value. */
  public static Optional<DhcpMessageType> ofCode(int code) {
    return code > 0 && code < BY_CODE.length ? Optional.of(BY_CODE[code]) : Optional.empty();
  }
}

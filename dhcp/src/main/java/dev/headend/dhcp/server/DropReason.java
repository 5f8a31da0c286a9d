package dev.headend.dhcp.server;

/** Why a {@link DhcpServer} did not answer a datagram ({@link DhcpServerEvent.Dropped}). */
public enum DropReason {
  /** The datagram is not a DHCP message (too short, broken options). */
  MALFORMED,
  /** An option the server needs is malformed (message type, client identifier, address). */
  MALFORMED_OPTION,
  /** A BOOTREPLY, or a message with no DHCP message type (plain BOOTP is not served). */
  NOT_DHCP_REQUEST,
  /** A message type a server does not act on (OFFER, ACK, NAK, leasequery ...). */
  UNSUPPORTED_TYPE,
  /** A message that breaks RFC 2131's rules for its type (a REQUEST with no address ...). */
  INVALID,
  /** No configured subnet serves the client's link. */
  NO_SUBNET,
  /** Every address of the subnet is bound, offered, reserved or quarantined. */
  POOL_EXHAUSTED,
  /** The cap on outstanding offers is reached. */
  OFFER_LIMIT,
  /** The cap on outstanding offers through one relay circuit is reached. */
  CIRCUIT_LIMIT,
  /** A REQUEST, DECLINE or RELEASE meant for another server. */
  OTHER_SERVER,
  /**
   * INIT-REBOOT or RENEWING/REBINDING from a client the server has no record of (RFC 2131 §4.3.2).
   */
  UNKNOWN_CLIENT,
  /** A DECLINE or RELEASE of an address the client does not hold. */
  NOT_BOUND,
  /** The lease store failed; the ACK was withheld. */
  STORE_FAILED,
  /** More replies are queued than the server keeps; the adapter is not draining them. */
  BACKLOG,
  /** A bug: the server threw while handling it (reported, never thrown to the caller). */
  INTERNAL_ERROR
}

package dev.headend.dhcp.client;

/** The states of RFC 2131 figure 5, plus {@link #STOPPED} after a release. */
public enum DhcpClientState {
  /** Not started, or between a failure and the next DISCOVER. */
  INIT,
  /** DISCOVER sent; collecting offers. */
  SELECTING,
  /** REQUEST sent for the chosen offer; waiting for ACK or NAK. */
  REQUESTING,
  /** Starting with a remembered address: about to send a REQUEST for it. */
  INIT_REBOOT,
  /** REQUEST for the remembered address sent; waiting for ACK or NAK. */
  REBOOTING,
  /** Holding a lease; nothing to do until T1. */
  BOUND,
  /** Past T1: renewing by unicast with the server that granted the lease. */
  RENEWING,
  /** Past T2: renewing by broadcast with any server. */
  REBINDING,
  /** The lease was released (or never wanted): the client sends nothing more. */
  STOPPED
}

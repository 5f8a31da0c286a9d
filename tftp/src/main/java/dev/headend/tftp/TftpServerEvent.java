package dev.headend.tftp;

import dev.headend.tftp.wire.ErrorCode;
import java.net.InetSocketAddress;

/** What a {@link TftpServer} reports about the requests reaching its well-known port. */
public sealed interface TftpServerEvent {

  /**
   * A request was accepted: drive {@code transfer} on a socket of its own (a fresh port is the
   * server's transfer ID). It has already queued its first packet (DATA 1, OACK or ACK 0).
   */
  record Accepted(TftpTransfer transfer) implements TftpServerEvent {}

  /** A request was refused and the client told so with an ERROR packet. */
  record Refused(InetSocketAddress client, String filename, ErrorCode code, String message)
      implements TftpServerEvent {}

  /** A datagram was ignored or answered with an error because it was not a usable request. */
  record Dropped(InetSocketAddress from, String reason) implements TftpServerEvent {}
}

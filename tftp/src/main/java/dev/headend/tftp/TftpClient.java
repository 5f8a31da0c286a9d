package dev.headend.tftp;

import dev.headend.tftp.wire.TftpPacket.Request;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * Client transfers: {@link #read} fetches a file into a sink, {@link #write} sends content to a
 * server. Each returns a {@link TftpTransfer} that has already queued its request; drive it on a
 * socket of its own (its port is the client's transfer ID). The transfer accepts the first reply
 * from the server's address, from whatever port, and checks an OACK against what was asked: an
 * option not asked for, a larger block or window, or another timeout is refused with ERROR 8.
 */
public final class TftpClient {
  private TftpClient() {}

  /**
   * A transfer reading {@code filename} from {@code server} (usually port 69) into {@code sink}.
   */
  public static TftpTransfer read(
      InetSocketAddress server,
      String filename,
      TftpSink sink,
      TransferOptions options,
      Instant now) {
    Objects.requireNonNull(sink, "sink");
    Request r =
        new Request(
            false,
            filename,
            options.isNetascii() ? "netascii" : "octet",
            options.requestOptions(false, -1));
    return new ReceivingTransfer(server, r, options, sink, now);
  }

  /** A transfer writing {@code content} to {@code filename} on {@code server}. */
  public static TftpTransfer write(
      InetSocketAddress server,
      String filename,
      TftpContent content,
      TransferOptions options,
      Instant now) {
    Objects.requireNonNull(content, "content");
    Request r =
        new Request(
            true,
            filename,
            options.isNetascii() ? "netascii" : "octet",
            options.requestOptions(true, content.size()));
    return new SendingTransfer(server, r, options, content, now);
  }
}

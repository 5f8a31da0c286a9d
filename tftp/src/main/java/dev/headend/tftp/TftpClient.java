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
    return new ReceivingTransfer(server, request(false, filename, options, -1), options, sink, now);
  }

  /** A transfer writing {@code content} to {@code filename} on {@code server}. */
  public static TftpTransfer write(
      InetSocketAddress server,
      String filename,
      TftpContent content,
      TransferOptions options,
      Instant now) {
    Objects.requireNonNull(content, "content");
    Request r = request(true, filename, options, content.size());
    return new SendingTransfer(server, r, options, content, now);
  }

  private static Request request(
      boolean write, String filename, TransferOptions options, long size) {
    String mode = options.isNetascii() ? "netascii" : "octet";
    return new Request(write, filename, mode, options.requestOptions(write, size));
  }
}

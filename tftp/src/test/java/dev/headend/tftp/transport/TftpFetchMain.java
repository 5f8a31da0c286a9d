package dev.headend.tftp.transport;

import dev.headend.tftp.MemorySink;
import dev.headend.tftp.TftpSink;
import dev.headend.tftp.TransferEvent;
import dev.headend.tftp.TransferOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Our client in a process of its own, for tests that put it in a network namespace: {@code SERVER
 * PORT FILENAME OUTPUT BLKSIZE WINDOWSIZE}; prints the outcome and exits 0 on success.
 */
public final class TftpFetchMain {
  private TftpFetchMain() {}

  public static void main(String[] args) throws Exception {
    InetAddress server = InetAddress.getByName(args[0]);
    try (TftpClientTransport client = TftpClientTransport.open(InetAddress.getByName("0.0.0.0"))) {
      MemorySink sink = TftpSink.toMemory(1 << 30);
      TransferOptions o =
          TransferOptions.defaults()
              .blockSize(Integer.parseInt(args[4]))
              .windowSize(Integer.parseInt(args[5]))
              .maxRetries(30);
      TransferEvent.Completed done =
          client
              .read(new InetSocketAddress(server, Integer.parseInt(args[1])), args[2], sink, o)
              .get(300, TimeUnit.SECONDS);
      Files.write(Path.of(args[3]), sink.toByteArray());
      System.out.println("DONE " + done);
    }
  }
}

package dev.headend.tftp.transport;

import dev.headend.tftp.TftpFiles;
import dev.headend.tftp.TftpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A TFTP server in a process of its own, for tests that put it in a network namespace: {@code
 * ADDRESS PORT ROOT [TIMEOUT_MS]}; prints {@code READY port} and serves until killed. Writes are
 * allowed.
 */
public final class TftpServeMain {
  private TftpServeMain() {}

  public static void main(String[] args) throws Exception {
    TftpServer.Builder b =
        TftpServer.builder(TftpFiles.directory(Path.of(args[2])).allowWrites(1L << 30));
    if (args.length > 3) {
      b.timeout(java.time.Duration.ofMillis(Long.parseLong(args[3])));
    }
    TftpServer engine = b.build();
    TftpServerTransport t =
        TftpServerTransport.builder(engine)
            .bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])))
            .onTransfer((transfer, e) -> System.out.println(transfer.filename() + " " + e))
            .start();
    System.out.println("READY " + t.localAddress().getPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}

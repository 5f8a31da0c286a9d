package dev.headend.tftp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.tftp.MemorySink;
import dev.headend.tftp.TftpFiles;
import dev.headend.tftp.TftpServer;
import dev.headend.tftp.TftpSink;
import dev.headend.tftp.TransferEvent;
import dev.headend.tftp.TransferOptions;
import dev.headend.tftp.wire.TftpPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing a transport ends the transfers it runs: futures complete, uploads leave no file. */
class TftpTransportCloseTest {

  @Test
  void closingTheClientFailsItsRunningTransfers() throws Exception {
    try (DatagramChannel silent = DatagramChannel.open()) {
      silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      TftpClientTransport client = TftpClientTransport.open(InetAddress.getLoopbackAddress());
      MemorySink sink = TftpSink.toMemory(100);
      CompletableFuture<TransferEvent.Completed> f =
          client.read(
              (InetSocketAddress) silent.getLocalAddress(), "f", sink, TransferOptions.defaults());
      ByteBuffer request = ByteBuffer.allocate(100);
      silent.receive(request); // the request arrived: the transfer is running
      client.close();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
      TftpTransferException t = assertInstanceOf(TftpTransferException.class, e.getCause());
      assertTrue(t.getMessage().contains("shutting down"), t.getMessage());
    }
  }

  @Test
  void closingTheServerAbortsUploadsAndTellsTheClient(@TempDir Path root) throws Exception {
    List<TransferEvent> outcomes = new CopyOnWriteArrayList<>();
    TftpServer engine = TftpServer.builder(TftpFiles.directory(root).allowWrites(1 << 20)).build();
    TftpServerTransport server =
        TftpServerTransport.builder(engine)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .onTransfer((t, e) -> outcomes.add(e))
            .start();
    try (DatagramChannel client = DatagramChannel.open()) {
      client.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      client.send(
          ByteBuffer.wrap(TftpPacket.Request.write("up.bin").toBytes()), server.localAddress());
      ByteBuffer in = ByteBuffer.allocate(600);
      InetSocketAddress tid = (InetSocketAddress) client.receive(in); // ACK 0
      client.send(ByteBuffer.wrap(TftpPacket.Data.of(1, new byte[512]).toBytes()), tid);
      in.clear();
      client.receive(in); // ACK 1: a half-written upload
      try (Stream<Path> files = Files.list(root)) {
        assertEquals(1, files.count(), "the temporary file");
      }
      server.close();
      in.clear();
      client.receive(in);
      TftpPacket.ErrorPacket error = (TftpPacket.ErrorPacket) TftpPacket.decode(in.flip());
      assertTrue(error.message().contains("shutting down"), error.message());
    }
    try (Stream<Path> files = Files.list(root)) {
      assertEquals(0, files.count(), "nothing left behind");
    }
    assertInstanceOf(TransferEvent.Failed.class, outcomes.get(0));
  }
}

package dev.headend.tftp.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.headend.testkit.FreePorts;
import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import dev.headend.testkit.RequiresRoot;
import dev.headend.tftp.MemorySink;
import dev.headend.tftp.TftpContent;
import dev.headend.tftp.TftpSink;
import dev.headend.tftp.TransferEvent;
import dev.headend.tftp.TransferOptions;
import dev.headend.tftp.wire.ErrorCode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our client against tftpd-hpa's in.tftpd on loopback (it needs root to chroot). */
@Tag("interop")
@RequiresRoot("in.tftpd chroots into the served folder")
@RequiresPeer(value = "in.tftpd", install = "apt-get install -y tftpd-hpa")
class TftpdHpaInteropTest {
  @TempDir static Path root;
  static Proc.Running tftpd;
  static InetSocketAddress server;
  static TftpClientTransport client;

  @BeforeAll
  static void start() throws Exception {
    for (int size : new int[] {0, 512, 513, 100_000, TftpClientsInteropTest.BIG}) {
      Files.write(root.resolve("f" + size), TftpClientsInteropTest.bytes(size, size));
    }
    Files.writeString(root.resolve("text.txt"), "one\ntwo\r\nthree\n");
    root.toFile().setWritable(true, false);
    int port = FreePorts.tcpAndUdp();
    tftpd =
        Proc.start(
            "in.tftpd",
            "-L",
            "-a",
            "127.0.0.1:" + port,
            "-s",
            root.toString(),
            "-c",
            "-u",
            "root",
            "-p",
            "-B",
            "65464");
    server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    client = TftpClientTransport.open(InetAddress.getLoopbackAddress());
  }

  @AfterAll
  static void stop() {
    client.close();
    tftpd.close();
  }

  private static byte[] read(String name, TransferOptions o) throws Exception {
    MemorySink sink = TftpSink.toMemory(64 << 20);
    client.read(server, name, sink, o).get(120, TimeUnit.SECONDS);
    return sink.toByteArray();
  }

  @ParameterizedTest(name = "plain RFC 1350 read of {0} bytes")
  @ValueSource(ints = {0, 512, 513, 100_000, TftpClientsInteropTest.BIG})
  void plainRead(int size) throws Exception {
    assertArrayEquals(
        Files.readAllBytes(root.resolve("f" + size)), read("f" + size, TransferOptions.defaults()));
  }

  @ParameterizedTest(name = "read of {0} bytes with blksize 1428, tsize, windowsize (ignored)")
  @ValueSource(ints = {0, 513, 100_000, TftpClientsInteropTest.BIG})
  void readWithOptions(int size) throws Exception {
    TransferOptions o = TransferOptions.defaults().blockSize(1428).transferSize(true).windowSize(8);
    assertArrayEquals(Files.readAllBytes(root.resolve("f" + size)), read("f" + size, o));
  }

  @Test
  void netasciiRead() throws Exception {
    assertArrayEquals(
        Files.readAllBytes(root.resolve("text.txt")),
        read("text.txt", TransferOptions.defaults().netascii(true)));
  }

  @Test
  void write() throws Exception {
    byte[] content = TftpClientsInteropTest.bytes(200_000, 5);
    TransferEvent.Completed done =
        client
            .write(
                server,
                "uploaded.bin",
                TftpContent.of(content),
                TransferOptions.defaults().blockSize(8192).transferSize(true))
            .get(60, TimeUnit.SECONDS);
    assertEquals(200_000, done.bytes());
    assertArrayEquals(content, Files.readAllBytes(root.resolve("uploaded.bin")));
  }

  @Test
  void missingFileFailsWithTheServersError() {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> read("no-such-file", TransferOptions.defaults().blockSize(1024)));
    TftpTransferException t = assertInstanceOf(TftpTransferException.class, e.getCause());
    assertEquals(ErrorCode.FILE_NOT_FOUND, t.code());
    assertEquals(true, t.byPeer());
  }

  @Test
  void noServerMeansRetriesThenFailure() throws Exception {
    InetSocketAddress nobody =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), FreePorts.tcpAndUdp());
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                client
                    .read(
                        nobody,
                        "x",
                        TftpSink.toMemory(10),
                        TransferOptions.defaults().maxRetries(1))
                    .get(30, TimeUnit.SECONDS));
    TftpTransferException t = assertInstanceOf(TftpTransferException.class, e.getCause());
    assertEquals(false, t.byPeer());
  }
}

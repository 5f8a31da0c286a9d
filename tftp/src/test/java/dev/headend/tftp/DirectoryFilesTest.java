package dev.headend.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.tftp.wire.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectoryFilesTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 1000);
  @TempDir Path dir;
  Path root;
  Path outside;

  @BeforeEach
  void files() throws IOException {
    root = Files.createDirectory(dir.resolve("root"));
    outside = Files.writeString(dir.resolve("secret"), "secret");
    Files.writeString(root.resolve("a.cfg"), "config");
    Files.createDirectory(root.resolve("sub"));
    Files.writeString(root.resolve("sub/b.bin"), "bee");
    Files.createSymbolicLink(root.resolve("out"), outside);
    Files.createSymbolicLink(root.resolve("outdir"), dir);
    Files.createSymbolicLink(root.resolve("in"), root.resolve("sub/b.bin"));
  }

  private static byte[] readAll(TftpContent c) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1000);
    while (c.read(b) >= 0) {
      // read to the end
    }
    c.close();
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  @Test
  void servesFilesAndSubfolders() throws Exception {
    DirectoryFiles files = TftpFiles.directory(root);
    assertArrayEquals("config".getBytes(), readAll(files.openRead("a.cfg", CLIENT)));
    assertArrayEquals("bee".getBytes(), readAll(files.openRead("sub/b.bin", CLIENT)));
    assertArrayEquals("bee".getBytes(), readAll(files.openRead("./sub//b.bin", CLIENT)));
    assertEquals(6, files.openRead("a.cfg", CLIENT).size());
  }

  @Test
  void symlinkInsideTheRootIsFollowed() throws Exception {
    assertArrayEquals("bee".getBytes(), readAll(TftpFiles.directory(root).openRead("in", CLIENT)));
  }

  @ParameterizedTest(name = "refused: {0}")
  @ValueSource(
      strings = {
        "../secret",
        "sub/../../secret",
        "/etc/passwd",
        "\\secret",
        "sub\\b.bin",
        "out",
        "outdir/secret",
        "",
        ".."
      })
  void namesOutsideTheRootAreRefused(String name) throws Exception {
    DirectoryFiles files = TftpFiles.directory(root);
    TftpAccessException e =
        assertThrows(TftpAccessException.class, () -> files.openRead(name, CLIENT));
    assertEquals(ErrorCode.ACCESS_VIOLATION, e.code(), e.getMessage());
  }

  @Test
  void missingFileAndFolderAreNotFound() throws Exception {
    DirectoryFiles files = TftpFiles.directory(root);
    assertEquals(
        ErrorCode.FILE_NOT_FOUND,
        assertThrows(TftpAccessException.class, () -> files.openRead("nope", CLIENT)).code());
    assertEquals(
        ErrorCode.FILE_NOT_FOUND,
        assertThrows(TftpAccessException.class, () -> files.openRead("sub", CLIENT)).code());
  }

  @Test
  void writesAreRefusedUntilAllowed() throws Exception {
    TftpAccessException e =
        assertThrows(
            TftpAccessException.class,
            () -> TftpFiles.directory(root).openWrite("new", CLIENT, -1));
    assertEquals(ErrorCode.ACCESS_VIOLATION, e.code());
  }

  @Test
  void writeAppearsOnlyOnCommit() throws Exception {
    DirectoryFiles files = TftpFiles.directory(root).allowWrites(100);
    TftpSink sink = files.openWrite("sub/new.cfg", CLIENT, 5);
    sink.write(ByteBuffer.wrap("hello".getBytes()));
    assertFalse(Files.exists(root.resolve("sub/new.cfg")));
    sink.commit();
    assertEquals("hello", Files.readString(root.resolve("sub/new.cfg")));
    try (Stream<Path> s = Files.list(root.resolve("sub"))) {
      assertEquals(2, s.count(), "no temporary file left");
    }
  }

  @Test
  void abortLeavesNothing() throws Exception {
    TftpSink sink = TftpFiles.directory(root).allowWrites(100).openWrite("gone", CLIENT, -1);
    sink.write(ByteBuffer.wrap("x".getBytes()));
    sink.abort();
    try (Stream<Path> s = Files.list(root)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("gone")));
    }
  }

  @Test
  void sizeCapsAndExistingFiles() throws Exception {
    DirectoryFiles files = TftpFiles.directory(root).allowWrites(4);
    assertEquals(
        ErrorCode.DISK_FULL,
        assertThrows(TftpAccessException.class, () -> files.openWrite("big", CLIENT, 5)).code());
    TftpSink sink = files.openWrite("big", CLIENT, -1);
    assertEquals(
        ErrorCode.DISK_FULL,
        assertThrows(TftpAccessException.class, () -> sink.write(ByteBuffer.wrap(new byte[5])))
            .code());
    sink.abort();
    assertEquals(
        ErrorCode.FILE_EXISTS,
        assertThrows(TftpAccessException.class, () -> files.openWrite("a.cfg", CLIENT, 1)).code());
    TftpSink over = files.allowOverwrite(true).openWrite("a.cfg", CLIENT, 2);
    over.write(ByteBuffer.wrap("ok".getBytes()));
    over.commit();
    assertEquals("ok", Files.readString(root.resolve("a.cfg")));
    assertEquals(
        ErrorCode.ACCESS_VIOLATION,
        assertThrows(
                TftpAccessException.class,
                () -> files.allowOverwrite(true).openWrite("out", CLIENT, 1))
            .code(),
        "a link is never replaced");
    assertEquals("secret", Files.readString(outside));
  }
}

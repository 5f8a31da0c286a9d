package dev.headend.tftp;

import dev.headend.tftp.wire.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Files under one root folder. A name is refused (ERROR 2) if it is empty, absolute, holds a
 * backslash or a {@code ..} segment, or resolves (through symbolic links) to anything outside the
 * root; only regular files are served. Writes are refused until {@link #allowWrites} and then go to
 * a temporary file beside the target, moved into place only when the last block is in, so a reader
 * never sees half a file; existing files are kept unless {@link #allowOverwrite}.
 *
 * <p>A symbolic link inside the root that points inside the root is followed. The check runs when
 * the file is opened; someone who can change the root's folders at that very moment can still race
 * it, so do not give untrusted local users write access to the root.
 */
public final class DirectoryFiles implements TftpFiles {
  private final Path root;
  private final long maxWriteBytes;
  private final boolean overwrite;

  DirectoryFiles(Path root) throws IOException {
    this(root.toRealPath(), -1, false);
    if (!Files.isDirectory(this.root)) {
      throw new IOException(root + " is not a directory");
    }
  }

  private DirectoryFiles(Path realRoot, long maxWriteBytes, boolean overwrite) {
    this.root = realRoot;
    this.maxWriteBytes = maxWriteBytes;
    this.overwrite = overwrite;
  }

  /** The same root, accepting write requests of up to {@code maxBytes} per file. */
  public DirectoryFiles allowWrites(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative");
    }
    return new DirectoryFiles(root, maxBytes, overwrite);
  }

  /** Whether a write may replace an existing file (default: no, ERROR 6). */
  public DirectoryFiles allowOverwrite(boolean on) {
    return new DirectoryFiles(root, maxWriteBytes, on);
  }

  /** The root, with symbolic links resolved. */
  public Path root() {
    return root;
  }

  @Override
  public TftpContent openRead(String filename, InetSocketAddress client)
      throws IOException, TftpAccessException {
    Path real;
    try {
      real = resolve(filename).toRealPath();
    } catch (NoSuchFileException e) {
      throw new TftpAccessException(ErrorCode.FILE_NOT_FOUND, "no such file: " + filename);
    }
    if (!real.startsWith(root)) {
      throw new TftpAccessException(ErrorCode.ACCESS_VIOLATION, "outside the served folder");
    }
    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new TftpAccessException(ErrorCode.FILE_NOT_FOUND, "not a file: " + filename);
    }
    FileChannel ch = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    return new FileContent(ch);
  }

  @Override
  public TftpSink openWrite(String filename, InetSocketAddress client, long announcedSize)
      throws IOException, TftpAccessException {
    if (maxWriteBytes < 0) {
      throw new TftpAccessException(
          ErrorCode.ACCESS_VIOLATION, "this server does not accept files");
    }
    if (announcedSize > maxWriteBytes) {
      throw new TftpAccessException(
          ErrorCode.DISK_FULL,
          "announced " + announcedSize + " bytes; at most " + maxWriteBytes + " accepted");
    }
    Path target = resolve(filename);
    Path parent;
    try {
      parent = target.getParent().toRealPath();
    } catch (NoSuchFileException e) {
      throw new TftpAccessException(ErrorCode.ACCESS_VIOLATION, "no such folder for " + filename);
    }
    if (!parent.startsWith(root) || !Files.isDirectory(parent)) {
      throw new TftpAccessException(ErrorCode.ACCESS_VIOLATION, "outside the served folder");
    }
    Path file = parent.resolve(target.getFileName());
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      if (!overwrite) {
        throw new TftpAccessException(ErrorCode.FILE_EXISTS, "file exists: " + filename);
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new TftpAccessException(ErrorCode.ACCESS_VIOLATION, "not a file: " + filename);
      }
    }
    return new FileSink(file, overwrite, maxWriteBytes);
  }

  /** The path {@code filename} names under the root, after the name checks. */
  private Path resolve(String filename) throws TftpAccessException {
    if (filename.isEmpty()) {
      throw new TftpAccessException(ErrorCode.ACCESS_VIOLATION, "empty file name");
    }
    if (filename.charAt(0) == '/' || filename.indexOf('\\') >= 0) {
      throw new TftpAccessException(
          ErrorCode.ACCESS_VIOLATION, "absolute paths and backslashes are refused");
    }
    for (String segment : filename.split("/", -1)) {
      if (segment.equals("..")) {
        throw new TftpAccessException(ErrorCode.ACCESS_VIOLATION, "'..' is refused");
      }
    }
    try {
      Path p = root.resolve(filename).normalize();
      if (!p.startsWith(root) || p.equals(root)) {
        throw new TftpAccessException(ErrorCode.ACCESS_VIOLATION, "outside the served folder");
      }
      return p;
    } catch (InvalidPathException e) {
      throw new TftpAccessException(ErrorCode.ACCESS_VIOLATION, "invalid file name");
    }
  }

  @Override
  public String toString() {
    return "DirectoryFiles["
        + root
        + (maxWriteBytes >= 0 ? ", writes up to " + maxWriteBytes + " bytes" : ", read-only")
        + (overwrite ? ", overwrite]" : "]");
  }
}

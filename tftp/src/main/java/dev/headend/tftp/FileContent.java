package dev.headend.tftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** A file's content, read through its channel. */
final class FileContent implements TftpContent {
  private final FileChannel channel;
  private final long size;

  FileContent(FileChannel channel) throws IOException {
    this.channel = channel;
    this.size = channel.size();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return channel.read(dst);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}

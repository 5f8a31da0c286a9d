package dev.headend.tftp.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads NUL-terminated strings from a packet. */
final class PacketCursor {
  private final ByteBuffer b;
  private final int base;
  private final int len;
  int at;

  PacketCursor(ByteBuffer b, int base, int len, int at) {
    this.b = b;
    this.base = base;
    this.len = len;
    this.at = at;
  }

  String string(String what) throws MalformedTftpPacketException {
    int start = at;
    while (at < len && b.get(base + at) != 0) {
      at++;
    }
    if (at >= len) {
      throw new MalformedTftpPacketException(what + " is not NUL-terminated", start);
    }
    byte[] bytes = new byte[at - start];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = b.get(base + start + i);
    }
    at++;
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  List<TftpOption> options() throws MalformedTftpPacketException {
    List<TftpOption> options = new ArrayList<>();
    while (at < len) {
      int nameAt = at;
      String name = string("option name");
      if (name.isEmpty()) {
        throw new MalformedTftpPacketException("empty option name", nameAt);
      }
      String value = string("value of option " + name);
      options.add(new TftpOption(name, value));
    }
    return options;
  }

  void end() throws MalformedTftpPacketException {
    if (at != len) {
      throw new MalformedTftpPacketException("bytes after the end of the packet", at);
    }
  }
}

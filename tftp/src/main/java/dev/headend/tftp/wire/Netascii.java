package dev.headend.tftp.wire;

import java.nio.ByteBuffer;

/**
 * The netascii transfer mode (RFC 1350, RFC 764): on the wire every line ends in CR LF and a bare
 * CR is sent as CR NUL. {@link Encoder} turns local text (LF line ends) into netascii, {@link
 * Decoder} turns it back. Both are incremental, so a CR LF pair split across two blocks is handled.
 */
public final class Netascii {
  private Netascii() {}

  /** Local text to netascii: LF becomes CR LF, CR becomes CR NUL. */
  public static final class Encoder {
    private int pending = -1; // the byte owed after a CR, when dst ran out of room

    /** An encoder at the start of a transfer. */
    public Encoder() {}

    /** Translates from {@code src} into {@code dst} until one of them is exhausted. */
    public void translate(ByteBuffer src, ByteBuffer dst) {
      while (dst.hasRemaining()) {
        if (pending >= 0) {
          dst.put((byte) pending);
          pending = -1;
          continue;
        }
        if (!src.hasRemaining()) {
          return;
        }
        byte c = src.get();
        if (c == '\n') {
          dst.put((byte) '\r');
          pending = '\n';
        } else if (c == '\r') {
          dst.put((byte) '\r');
          pending = 0;
        } else {
          dst.put(c);
        }
      }
    }

    /** Whether a translated byte is still owed to the output. */
    public boolean hasPending() {
      return pending >= 0;
    }
  }

  /**
   * Netascii to local text: CR LF becomes LF, CR NUL becomes CR; a CR followed by anything else is
   * kept as it is (lenient toward senders that break RFC 764).
   */
  public static final class Decoder {
    private boolean cr;

    /** A decoder at the start of a transfer. */
    public Decoder() {}

    /**
     * Translates all of {@code src} into {@code dst}, which needs {@code src.remaining() + 1} bytes
     * of room.
     */
    public void translate(ByteBuffer src, ByteBuffer dst) {
      while (src.hasRemaining()) {
        byte c = src.get();
        if (cr) {
          cr = false;
          if (c == '\n') {
            dst.put((byte) '\n');
            continue;
          }
          dst.put((byte) '\r');
          if (c == 0) {
            continue;
          }
        }
        if (c == '\r') {
          cr = true;
        } else {
          dst.put(c);
        }
      }
    }

    /** At the end of the transfer: writes a CR still held back (at most one byte). */
    public void finish(ByteBuffer dst) {
      if (cr) {
        dst.put((byte) '\r');
        cr = false;
      }
    }
  }
}

package dev.headend.dhcp.wire;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** The value codecs behind {@link DhcpOption}: one per shape of RFC 2132 value, and the others. */
final class Codecs {
  private Codecs() {}

  // ---- argument checks shared with the builders

  static int checkU8(int v, String what) {
    if (v < 0 || v > 0xff) {
      throw new IllegalArgumentException(what + " " + v + " is not 0-255");
    }
    return v;
  }

  static int checkU16(int v, String what) {
    if (v < 0 || v > 0xffff) {
      throw new IllegalArgumentException(what + " " + v + " is not 0-65535");
    }
    return v;
  }

  /** Each character as one byte (ISO 8859-1), the reverse of how strings are read. */
  static byte[] latin1(String s, String what) {
    Objects.requireNonNull(s, what);
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0xff) {
        throw new IllegalArgumentException(
            what + " has a character above U+00FF at index " + i + ": " + s);
      }
    }
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] ascii(String s, String what) {
    Objects.requireNonNull(s, what);
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7f) {
        throw new IllegalArgumentException(what + " has a non-ASCII character at index " + i);
      }
    }
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] minLength(byte[] b, int min, String what) {
    if (b.length < min) {
      throw new IllegalArgumentException(what + " needs at least " + min + " bytes");
    }
    return b;
  }

  // ---- shapes

  /** One IPv4 address, 4 bytes. */
  static final ValueCodec<Ipv4Address> ADDRESS =
      ValueCodec.of(
          v -> {
            v.requireLength(4);
            return v.address(0);
          },
          a -> a.toBytes());

  /** A list of IPv4 addresses, 4 bytes each, at least {@code min} of them. */
  static ValueCodec<List<Ipv4Address>> addresses(int min) {
    return ValueCodec.of(
        v -> {
          v.requireMultiple(4, 4 * min);
          List<Ipv4Address> list = new ArrayList<>(v.length() / 4);
          for (int i = 0; i < v.length(); i += 4) {
            list.add(v.address(i));
          }
          return Collections.unmodifiableList(list);
        },
        list -> {
          if (list.size() < min) {
            throw new IllegalArgumentException("needs at least " + min + " address(es)");
          }
          ByteBuffer b = ByteBuffer.allocate(4 * list.size());
          for (Ipv4Address a : list) {
            a.writeTo(b);
          }
          return b.array();
        });
  }

  /** Pairs of IPv4 addresses, 8 bytes each, at least one. */
  static final ValueCodec<List<AddressPair>> ADDRESS_PAIRS =
      ValueCodec.of(
          v -> {
            v.requireMultiple(8, 8);
            List<AddressPair> list = new ArrayList<>(v.length() / 8);
            for (int i = 0; i < v.length(); i += 8) {
              list.add(new AddressPair(v.address(i), v.address(i + 4)));
            }
            return Collections.unmodifiableList(list);
          },
          list -> {
            if (list.isEmpty()) {
              throw new IllegalArgumentException("needs at least one pair");
            }
            ByteBuffer b = ByteBuffer.allocate(8 * list.size());
            for (AddressPair p : list) {
              p.first().writeTo(b);
              p.second().writeTo(b);
            }
            return b.array();
          });

  /** An unsigned byte within {@code [min, max]}. */
  static ValueCodec<Integer> u8(int min, int max) {
    return ValueCodec.of(
        v -> {
          v.requireLength(1);
          int x = v.u8(0);
          if (x < min || x > max) {
            throw v.errorAt("value " + x + " is outside " + min + "-" + max, 0);
          }
          return x;
        },
        x -> {
          if (x < min || x > max) {
            throw new IllegalArgumentException("value " + x + " is outside " + min + "-" + max);
          }
          return new byte[] {(byte) (int) x};
        });
  }

  /** NetBIOS node type (RFC 2132 §8.7): 1, 2, 4 or 8. */
  static final ValueCodec<Integer> NODE_TYPE =
      ValueCodec.of(
          v -> {
            v.requireLength(1);
            int x = v.u8(0);
            if (Integer.bitCount(x) != 1 || x > 8) {
              throw v.errorAt("node type " + x + " is not 1, 2, 4 or 8", 0);
            }
            return x;
          },
          x -> {
            if (x == null || Integer.bitCount(x) != 1 || x > 8) {
              throw new IllegalArgumentException("node type " + x + " is not 1, 2, 4 or 8");
            }
            return new byte[] {(byte) (int) x};
          });

  /** An unsigned 16-bit number of at least {@code min}. */
  static ValueCodec<Integer> u16(int min) {
    return ValueCodec.of(
        v -> {
          v.requireLength(2);
          int x = v.u16(0);
          if (x < min) {
            throw v.errorAt("value " + x + " is below the minimum " + min, 0);
          }
          return x;
        },
        x -> {
          if (x < min || x > 0xffff) {
            throw new IllegalArgumentException("value " + x + " is outside " + min + "-65535");
          }
          return new byte[] {(byte) (x >> 8), (byte) (int) x};
        });
  }

  /** A list of unsigned 16-bit numbers, each at least {@code min}, at least one. */
  static ValueCodec<List<Integer>> u16List(int min) {
    return ValueCodec.of(
        v -> {
          v.requireMultiple(2, 2);
          List<Integer> list = new ArrayList<>(v.length() / 2);
          for (int i = 0; i < v.length(); i += 2) {
            int x = v.u16(i);
            if (x < min) {
              throw v.errorAt("value " + x + " is below the minimum " + min, i);
            }
            list.add(x);
          }
          return Collections.unmodifiableList(list);
        },
        list -> {
          if (list.isEmpty()) {
            throw new IllegalArgumentException("needs at least one value");
          }
          ByteBuffer b = ByteBuffer.allocate(2 * list.size());
          for (int x : list) {
            if (x < min || x > 0xffff) {
              throw new IllegalArgumentException("value " + x + " is outside " + min + "-65535");
            }
            b.putShort((short) x);
          }
          return b.array();
        });
  }

  /** An unsigned 32-bit number (seconds, sizes) as a long. */
  static final ValueCodec<Long> U32 =
      ValueCodec.of(
          v -> {
            v.requireLength(4);
            return v.u32(0);
          },
          x -> {
            if (x < 0 || x > 0xffff_ffffL) {
              throw new IllegalArgumentException("value " + x + " is outside 0-4294967295");
            }
            return ByteBuffer.allocate(4).putInt((int) (long) x).array();
          });

  /** A signed 32-bit number (the time offset). */
  static final ValueCodec<Integer> S32 =
      ValueCodec.of(
          v -> {
            v.requireLength(4);
            return v.s32(0);
          },
          x -> ByteBuffer.allocate(4).putInt(x).array());

  /** A boolean byte: 0 or 1. */
  static final ValueCodec<Boolean> BOOLEAN =
      ValueCodec.of(
          v -> {
            v.requireLength(1);
            int x = v.u8(0);
            if (x > 1) {
              throw v.errorAt("boolean value " + x + " is neither 0 nor 1", 0);
            }
            return x == 1;
          },
          x -> new byte[] {(byte) (x ? 1 : 0)});

  /** A flag carried by presence alone: no value bytes (rapid commit, RFC 4039). */
  static final ValueCodec<Boolean> PRESENCE =
      ValueCodec.of(
          v -> {
            v.requireLength(0);
            return Boolean.TRUE;
          },
          x -> {
            if (!x) {
              throw new IllegalArgumentException("a presence flag is set by adding it");
            }
            return new byte[0];
          });

  /** Text of at least {@code min} bytes, each byte one character (ISO 8859-1). */
  static ValueCodec<String> string(int min) {
    return ValueCodec.of(
        v -> {
          v.requireAtLeast(min);
          return v.latin1(0, v.length());
        },
        s -> minLength(latin1(s, "text"), min, "text"));
  }

  /** Opaque bytes, at least {@code min}. */
  static ValueCodec<byte[]> bytes(int min) {
    return ValueCodec.of(
        v -> {
          v.requireAtLeast(min);
          return v.bytes();
        },
        b -> minLength(b.clone(), min, "value"));
  }

  /** Option codes, one byte each, at least one (the parameter request list). */
  static final ValueCodec<List<Integer>> CODES =
      ValueCodec.of(
          v -> {
            v.requireAtLeast(1);
            List<Integer> list = new ArrayList<>(v.length());
            for (int i = 0; i < v.length(); i++) {
              list.add(v.u8(i));
            }
            return Collections.unmodifiableList(list);
          },
          list -> {
            if (list.isEmpty()) {
              throw new IllegalArgumentException("needs at least one option code");
            }
            byte[] b = new byte[list.size()];
            for (int i = 0; i < b.length; i++) {
              b[i] = (byte) checkU8(list.get(i), "option code");
            }
            return b;
          });

  /** Length-prefixed opaque strings, at least one, each at least one byte (user class, 77). */
  static final ValueCodec<List<String>> LENGTH_PREFIXED_STRINGS =
      ValueCodec.of(
          v -> {
            v.requireAtLeast(2);
            List<String> list = new ArrayList<>();
            int i = 0;
            while (i < v.length()) {
              int len = v.u8(i);
              if (len == 0) {
                throw v.errorAt("empty user class instance", i);
              }
              if (i + 1 + len > v.length()) {
                throw v.errorAt("instance of " + len + " bytes runs past the option", i);
              }
              list.add(v.latin1(i + 1, i + 1 + len));
              i += 1 + len;
            }
            return Collections.unmodifiableList(list);
          },
          list -> {
            if (list.isEmpty()) {
              throw new IllegalArgumentException("needs at least one instance");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String s : list) {
              byte[] b = latin1(s, "instance");
              if (b.length == 0 || b.length > 255) {
                throw new IllegalArgumentException("instance length " + b.length + " not 1-255");
              }
              out.write(b.length);
              out.writeBytes(b);
            }
            return out.toByteArray();
          });

  static final ValueCodec<DhcpMessageType> MESSAGE_TYPE =
      ValueCodec.of(
          v -> {
            v.requireLength(1);
            int x = v.u8(0);
            return DhcpMessageType.ofCode(x)
                .orElseThrow(() -> v.errorAt("unknown message type " + x, 0));
          },
          t -> new byte[] {(byte) t.code()});

  static final ValueCodec<ClientId> CLIENT_ID =
      ValueCodec.of(
          v -> {
            v.requireAtLeast(2);
            return ClientId.wrap(v.bytes());
          },
          ClientId::toBytes);

  static final ValueCodec<RelayAgentInfo> RELAY_AGENT_INFO =
      ValueCodec.of(RelayAgentInfo::decode, RelayAgentInfo::toBytes);

  static final ValueCodec<ClientFqdn> CLIENT_FQDN =
      ValueCodec.of(ClientFqdn::decode, ClientFqdn::toBytes);

  /** RFC 3442: width, the significant octets of the destination, the router; at least one. */
  static final ValueCodec<List<ClasslessRoute>> CLASSLESS_ROUTES =
      ValueCodec.of(
          v -> {
            v.requireAtLeast(5);
            List<ClasslessRoute> routes = new ArrayList<>();
            int n = v.length();
            int i = 0;
            while (i < n) {
              int width = v.u8(i);
              if (width > 32) {
                throw v.errorAt("route prefix length " + width + " exceeds 32", i);
              }
              int significant = (width + 7) / 8;
              if (i + 1 + significant + 4 > n) {
                throw v.errorAt(
                    "route of width "
                        + width
                        + " needs "
                        + (1 + significant + 4)
                        + " bytes, "
                        + (n - i)
                        + " remain",
                    i);
              }
              int dest = 0;
              for (int k = 0; k < significant; k++) {
                dest |= v.u8(i + 1 + k) << (24 - 8 * k);
              }
              Ipv4Address destination = new Ipv4Address(dest);
              if (!destination.mask(width).equals(destination)) {
                throw v.errorAt(
                    "route destination " + destination + "/" + width + " has host bits set", i);
              }
              routes.add(
                  new ClasslessRoute(
                      new IpPrefix(destination, width), v.address(i + 1 + significant)));
              i += 1 + significant + 4;
            }
            return Collections.unmodifiableList(routes);
          },
          routes -> {
            if (routes.isEmpty()) {
              throw new IllegalArgumentException("needs at least one route");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ClasslessRoute r : routes) {
              int width = r.destination().length();
              byte[] dest = r.destination().address().toBytes();
              out.write(width);
              out.write(dest, 0, (width + 7) / 8);
              out.writeBytes(r.router().toBytes());
            }
            return out.toByteArray();
          });
}

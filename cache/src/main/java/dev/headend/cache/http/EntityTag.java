package dev.headend.cache.http;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An entity tag (RFC 9110 §8.8.3): an opaque validator, strong or weak ({@code W/"..."}).
 *
 * <p>Origins can derive a strong tag from the content with {@link #of(ByteBuffer)}; caches and
 * origins compare tags with {@link #strongMatch} (both strong and equal) or {@link #weakMatch}
 * (equal opaque parts), the two comparison functions of RFC 9110 §8.8.3.2.
 *
 * @param opaque the characters between the quotes
 * @param weak whether the tag is weak
 */
public record EntityTag(String opaque, boolean weak) {
  /** Checks the opaque part holds only {@code etagc} characters. */
  public EntityTag {
    Objects.requireNonNull(opaque, "opaque");
    for (int i = 0; i < opaque.length(); i++) {
      if (!isEtagc(opaque.charAt(i))) {
        throw new IllegalArgumentException(
            "entity-tag character " + (int) opaque.charAt(i) + " not allowed at " + i);
      }
    }
  }

  /** A strong tag. */
  public static EntityTag strong(String opaque) {
    return new EntityTag(opaque, false);
  }

  /** A weak tag. */
  public static EntityTag weak(String opaque) {
    return new EntityTag(opaque, true);
  }

  /**
   * A strong tag derived from the content: the first 128 bits of its SHA-256, base64url. Equal
   * content gives equal tags across processes and restarts, so a farm of origins agrees.
   */
  public static EntityTag of(ByteBuffer content) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(content.duplicate());
      byte[] digest = sha.digest();
      return strong(
          Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** Parses one entity-tag ({@code "abc"} or {@code W/"abc"}); empty if it is not one. */
  public static Optional<EntityTag> parse(String value) {
    String v = value.strip();
    boolean weak = v.startsWith("W/");
    String q = weak ? v.substring(2) : v;
    if (q.length() < 2 || q.charAt(0) != '"' || q.charAt(q.length() - 1) != '"') {
      return Optional.empty();
    }
    String opaque = q.substring(1, q.length() - 1);
    for (int i = 0; i < opaque.length(); i++) {
      if (!isEtagc(opaque.charAt(i))) {
        return Optional.empty();
      }
    }
    return Optional.of(new EntityTag(opaque, weak));
  }

  /**
   * Parses an {@code If-Match}/{@code If-None-Match} list. Members that are not entity-tags are
   * dropped; {@code *} is not a tag and is reported by {@link #isAny(String)} instead.
   */
  public static List<EntityTag> parseList(String value) {
    List<EntityTag> out = new ArrayList<>(2);
    int n = value.length();
    int i = 0;
    while (i < n) {
      char c = value.charAt(i);
      if (c == ',' || Tokens.isOws(c)) {
        i++;
        continue;
      }
      int start = i;
      if (value.startsWith("W/\"", i)) {
        i += 3;
      } else if (c == '"') {
        i++;
      } else {
        while (i < n && value.charAt(i) != ',') {
          i++;
        }
        continue;
      }
      while (i < n && value.charAt(i) != '"') {
        i++;
      }
      if (i >= n) {
        break;
      }
      i++;
      parse(value.substring(start, i)).ifPresent(out::add);
    }
    return out;
  }

  /** Whether a precondition field value is {@code *}. */
  public static boolean isAny(String value) {
    return value.strip().equals("*");
  }

  /** Strong comparison: both strong and the same opaque part. */
  public boolean strongMatch(EntityTag other) {
    return !weak && !other.weak && opaque.equals(other.opaque);
  }

  /** Weak comparison: the same opaque part, strength ignored. */
  public boolean weakMatch(EntityTag other) {
    return opaque.equals(other.opaque);
  }

  /** The field form: {@code "opaque"} or {@code W/"opaque"}. */
  @Override
  public String toString() {
    return (weak ? "W/\"" : "\"") + opaque + '"';
  }

  private static boolean isEtagc(char c) {
    return c == 0x21 || c >= 0x23 && c <= 0x7e || c >= 0x80 && c <= 0xff;
  }
}

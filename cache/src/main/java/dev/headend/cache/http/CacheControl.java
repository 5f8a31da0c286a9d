package dev.headend.cache.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Parsed {@code Cache-Control} directives (RFC 9111 §5.2, RFC 5861, RFC 8246), for a request or a
 * response.
 *
 * <p>Parsing never fails: a cache has to make a decision about whatever arrives. Each
 * comma-separated element is parsed on its own; an element that breaks the grammar ({@code max-age
 * =5}, an unterminated quoted string) is skipped and {@link #malformed()} is set. Directive names
 * are case-insensitive; arguments may be tokens or quoted strings. A delta-seconds argument that is
 * not all digits ({@code max-age=-1}, {@code max-age=5a}) makes that directive <em>invalid</em>,
 * which a cache treats as "stale" (RFC 9111 §4.2.1); values beyond 2^31 saturate to 2^31 (§1.2.2).
 * When a directive repeats, the first occurrence counts.
 */
public final class CacheControl {
  /** The parse of an absent or empty field. */
  public static final CacheControl NONE = new CacheControl();

  static final long ABSENT = -1;
  static final long INVALID = -2;

  /** {@code max-stale} without an argument: any staleness. */
  static final long ANY = Long.MAX_VALUE;

  long maxAge = ABSENT;
  long sMaxAge = ABSENT;
  long maxStale = ABSENT;
  long minFresh = ABSENT;
  long staleWhileRevalidate = ABSENT;
  long staleIfError = ABSENT;
  boolean noStore;
  boolean noCache;
  boolean isPrivate;
  boolean isPublic;
  boolean mustRevalidate;
  boolean proxyRevalidate;
  boolean mustUnderstand;
  boolean noTransform;
  boolean onlyIfCached;
  boolean immutable;
  boolean malformed;
  List<String> noCacheFields = List.of();
  List<String> privateFields = List.of();
  List<String> extensions = List.of();

  private CacheControl() {}

  /** Parses every {@code Cache-Control} line of these fields as one list. */
  public static CacheControl of(HttpFields fields) {
    String v = fields.combined("Cache-Control");
    return v == null ? NONE : parse(v);
  }

  /** Parses one {@code Cache-Control} field value. */
  public static CacheControl parse(String value) {
    CacheControl cc = new CacheControl();
    int n = value.length();
    int i = 0;
    while (i < n) {
      char c = value.charAt(i);
      if (c == ',' || Tokens.isOws(c)) {
        i++;
        continue;
      }
      int nameStart = i;
      while (i < n && Tokens.isTchar(value.charAt(i))) {
        i++;
      }
      if (i == nameStart) {
        cc.malformed = true;
        i = skipElement(value, i);
        continue;
      }
      String name = value.substring(nameStart, i).toLowerCase(Locale.ROOT);
      String arg = null;
      if (i < n && value.charAt(i) == '=') {
        i++;
        if (i < n && value.charAt(i) == '"') {
          StringBuilder sb = new StringBuilder();
          i = quotedString(value, i, sb);
          if (i < 0) {
            cc.malformed = true;
            break;
          }
          arg = sb.toString();
        } else {
          int argStart = i;
          while (i < n && Tokens.isTchar(value.charAt(i))) {
            i++;
          }
          if (i == argStart) {
            cc.malformed = true;
            i = skipElement(value, i);
            continue;
          }
          arg = value.substring(argStart, i);
        }
      }
      while (i < n && Tokens.isOws(value.charAt(i))) {
        i++;
      }
      if (i < n && value.charAt(i) != ',') {
        cc.malformed = true;
        i = skipElement(value, i);
        continue;
      }
      cc.apply(name, arg);
    }
    return cc;
  }

  /** Index just past the next comma outside a quoted string, or the end. */
  private static int skipElement(String v, int i) {
    int n = v.length();
    while (i < n) {
      char c = v.charAt(i);
      if (c == ',') {
        return i + 1;
      }
      if (c == '"') {
        int end = quotedString(v, i, null);
        if (end < 0) {
          return n;
        }
        i = end;
      } else {
        i++;
      }
    }
    return n;
  }

  /** Reads a quoted-string starting at the opening quote; returns the index after it, or -1. */
  static int quotedString(String v, int i, StringBuilder out) {
    int n = v.length();
    i++;
    while (i < n) {
      char c = v.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\') {
        if (i + 1 >= n) {
          return -1;
        }
        c = v.charAt(++i);
      }
      if (out != null) {
        out.append(c);
      }
      i++;
    }
    return -1;
  }

  private void apply(String name, String arg) {
    switch (name) {
      case "max-age":
        maxAge = firstDelta(maxAge, arg);
        break;
      case "s-maxage":
        sMaxAge = firstDelta(sMaxAge, arg);
        break;
      case "max-stale":
        if (maxStale == ABSENT) {
          maxStale = arg == null ? ANY : delta(arg);
        }
        break;
      case "min-fresh":
        minFresh = firstDelta(minFresh, arg);
        break;
      case "stale-while-revalidate":
        staleWhileRevalidate = firstDelta(staleWhileRevalidate, arg);
        break;
      case "stale-if-error":
        staleIfError = firstDelta(staleIfError, arg);
        break;
      case "no-store":
        noStore = true;
        break;
      case "no-cache":
        if (arg == null) {
          noCache = true;
        } else {
          noCacheFields = addNames(noCacheFields, arg);
        }
        break;
      case "private":
        if (arg == null) {
          isPrivate = true;
        } else {
          privateFields = addNames(privateFields, arg);
        }
        break;
      case "public":
        isPublic = true;
        break;
      case "must-revalidate":
        mustRevalidate = true;
        break;
      case "proxy-revalidate":
        proxyRevalidate = true;
        break;
      case "must-understand":
        mustUnderstand = true;
        break;
      case "no-transform":
        noTransform = true;
        break;
      case "only-if-cached":
        onlyIfCached = true;
        break;
      case "immutable":
        immutable = true;
        break;
      default:
        if (extensions.isEmpty()) {
          extensions = new ArrayList<>(2);
        }
        extensions.add(arg == null ? name : name + "=" + (Tokens.isToken(arg) ? arg : quoted(arg)));
    }
  }

  private static String quoted(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static long firstDelta(long current, String arg) {
    return current != ABSENT ? current : delta(arg);
  }

  private static long delta(String arg) {
    if (arg == null) {
      return INVALID;
    }
    long v = Tokens.deltaSeconds(arg);
    return v < 0 ? INVALID : v;
  }

  private static List<String> addNames(List<String> current, String arg) {
    List<String> out = new ArrayList<>(current);
    for (String f : arg.split(",", -1)) {
      String t = f.trim();
      if (Tokens.isToken(t)) {
        out.add(t.toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  /**
   * Parses a targeted cache-control field ({@code CDN-Cache-Control} and the like, RFC 9213): a
   * Structured Field Dictionary (RFC 8941) with the {@code Cache-Control} directive names.
   *
   * @return the directives, or {@code null} if the field is empty or invalid (it must then be
   *     ignored, RFC 9213 §2.1): not a dictionary, or a known directive with a value of the wrong
   *     type (an integer for the delta-seconds ones, true for the others)
   */
  public static CacheControl parseTargeted(String value) {
    List<String[]> members = StructuredDictionary.parse(value);
    if (members == null || members.isEmpty()) {
      return null;
    }
    CacheControl cc = new CacheControl();
    for (String[] m : members) {
      String key = m[0];
      String v = m[1]; // integer as digits, "?1" for true, or null for another type
      switch (key) {
        case "max-age":
        case "s-maxage":
        case "stale-while-revalidate":
        case "stale-if-error":
          if (v == null || v.startsWith("?") || v.startsWith("-")) {
            return null;
          }
          cc.apply(key, v);
          break;
        case "no-store":
        case "no-cache":
        case "private":
        case "public":
        case "must-revalidate":
        case "proxy-revalidate":
        case "must-understand":
        case "immutable":
          if (!"?1".equals(v)) {
            return null;
          }
          cc.apply(key, null);
          break;
        default:
          cc.apply(key, null);
      }
    }
    return cc;
  }

  private static OptionalLong opt(long v) {
    return v < 0 ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** {@code max-age}, if present and valid. */
  public OptionalLong maxAge() {
    return opt(maxAge);
  }

  /** {@code s-maxage}, if present and valid. */
  public OptionalLong sMaxAge() {
    return opt(sMaxAge);
  }

  /**
   * {@code max-stale} (a request directive), if present and valid; {@link Long#MAX_VALUE} when it
   * has no argument (any staleness is acceptable).
   */
  public OptionalLong maxStale() {
    return opt(maxStale);
  }

  /** {@code min-fresh}, if present and valid. */
  public OptionalLong minFresh() {
    return opt(minFresh);
  }

  /** {@code stale-while-revalidate} (RFC 5861), if present and valid. */
  public OptionalLong staleWhileRevalidate() {
    return opt(staleWhileRevalidate);
  }

  /** {@code stale-if-error} (RFC 5861), if present and valid. */
  public OptionalLong staleIfError() {
    return opt(staleIfError);
  }

  /** Whether {@code max-age} was present with an argument that is not delta-seconds. */
  public boolean maxAgeInvalid() {
    return maxAge == INVALID || sMaxAge == INVALID;
  }

  /** {@code no-store}. */
  public boolean noStore() {
    return noStore;
  }

  /** Unqualified {@code no-cache}. */
  public boolean noCache() {
    return noCache;
  }

  /** Field names listed by a qualified {@code no-cache="..."}, lowercased. */
  public List<String> noCacheFields() {
    return Collections.unmodifiableList(noCacheFields);
  }

  /** Unqualified {@code private}. */
  public boolean isPrivate() {
    return isPrivate;
  }

  /** Field names listed by a qualified {@code private="..."}, lowercased. */
  public List<String> privateFields() {
    return Collections.unmodifiableList(privateFields);
  }

  /** {@code public}. */
  public boolean isPublic() {
    return isPublic;
  }

  /** {@code must-revalidate}. */
  public boolean mustRevalidate() {
    return mustRevalidate;
  }

  /** {@code proxy-revalidate}. */
  public boolean proxyRevalidate() {
    return proxyRevalidate;
  }

  /** {@code must-understand}. */
  public boolean mustUnderstand() {
    return mustUnderstand;
  }

  /** {@code no-transform}. */
  public boolean noTransform() {
    return noTransform;
  }

  /** {@code only-if-cached} (a request directive). */
  public boolean onlyIfCached() {
    return onlyIfCached;
  }

  /** {@code immutable} (RFC 8246). */
  public boolean immutable() {
    return immutable;
  }

  /** Whether some element broke the grammar and was skipped. */
  public boolean malformed() {
    return malformed;
  }

  /** Directives this class does not know, as {@code name} or {@code name=argument}. */
  public List<String> extensions() {
    return Collections.unmodifiableList(extensions);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    appendDelta(sb, "max-age", maxAge);
    appendDelta(sb, "s-maxage", sMaxAge);
    appendDelta(sb, "max-stale", maxStale);
    appendDelta(sb, "min-fresh", minFresh);
    appendDelta(sb, "stale-while-revalidate", staleWhileRevalidate);
    appendDelta(sb, "stale-if-error", staleIfError);
    appendFlag(sb, "no-store", noStore);
    appendFlag(sb, "no-cache", noCache);
    if (!noCacheFields.isEmpty()) {
      append(sb, "no-cache=\"" + String.join(", ", noCacheFields) + "\"");
    }
    appendFlag(sb, "private", isPrivate);
    if (!privateFields.isEmpty()) {
      append(sb, "private=\"" + String.join(", ", privateFields) + "\"");
    }
    appendFlag(sb, "public", isPublic);
    appendFlag(sb, "must-revalidate", mustRevalidate);
    appendFlag(sb, "proxy-revalidate", proxyRevalidate);
    appendFlag(sb, "must-understand", mustUnderstand);
    appendFlag(sb, "no-transform", noTransform);
    appendFlag(sb, "only-if-cached", onlyIfCached);
    appendFlag(sb, "immutable", immutable);
    extensions.forEach(e -> append(sb, e));
    return sb.toString();
  }

  private static void appendDelta(StringBuilder sb, String name, long v) {
    if (v == ANY) {
      append(sb, name);
    } else if (v >= 0) {
      append(sb, name + "=" + v);
    } else if (v == INVALID) {
      append(sb, name + "=invalid");
    }
  }

  private static void appendFlag(StringBuilder sb, String name, boolean on) {
    if (on) {
      append(sb, name);
    }
  }

  private static void append(StringBuilder sb, String s) {
    if (sb.length() > 0) {
      sb.append(", ");
    }
    sb.append(s);
  }
}

package dev.headend.cache.http;

import java.time.Instant;
import java.util.List;

/**
 * Evaluates conditional request fields against a resource's current validators in the order of RFC
 * 9110 §13.2.2: {@code If-Match}, {@code If-Unmodified-Since}, {@code If-None-Match}, {@code
 * If-Modified-Since}. Origins use it to answer 304 and 412; the cache uses it to answer a client's
 * conditional request from a stored response.
 */
public final class Preconditions {
  private Preconditions() {}

  /** What the server should do with the request. */
  public enum Outcome {
    /** Perform the method as usual. */
    PROCEED,
    /** Answer {@code 304 Not Modified} (GET and HEAD only). */
    NOT_MODIFIED,
    /** Answer {@code 412 Precondition Failed}. */
    PRECONDITION_FAILED
  }

  /**
   * @param request the request, with its conditional fields
   * @param current the resource's current entity tag, or {@code null} if it has none
   * @param lastModified the resource's modification time, or {@code null}
   * @param exists whether the resource currently has a representation
   * @param now the current time: an {@code If-Modified-Since} later than it is ignored
   */
  public static Outcome evaluate(
      HttpRequest request, EntityTag current, Instant lastModified, boolean exists, Instant now) {
    HttpFields f = request.fields();
    boolean getOrHead = request.method().equals("GET") || request.method().equals("HEAD");
    String ifMatch = f.combined("If-Match");
    if (ifMatch != null) {
      if (EntityTag.isAny(ifMatch) ? !exists : !anyMatches(ifMatch, current, true)) {
        return Outcome.PRECONDITION_FAILED;
      }
    } else {
      Instant ius = singleDate(f, "If-Unmodified-Since", now);
      if (ius != null && lastModified != null && lastModified.isAfter(ius)) {
        return Outcome.PRECONDITION_FAILED;
      }
    }
    String ifNoneMatch = f.combined("If-None-Match");
    if (ifNoneMatch != null) {
      boolean matched =
          EntityTag.isAny(ifNoneMatch) ? exists : anyMatches(ifNoneMatch, current, false);
      if (matched) {
        return getOrHead ? Outcome.NOT_MODIFIED : Outcome.PRECONDITION_FAILED;
      }
      return Outcome.PROCEED;
    }
    if (getOrHead && lastModified != null) {
      Instant ims = singleDate(f, "If-Modified-Since", now);
      if (ims != null && !ims.isAfter(now) && !lastModified.isAfter(ims)) {
        return Outcome.NOT_MODIFIED;
      }
    }
    return Outcome.PROCEED;
  }

  private static boolean anyMatches(String list, EntityTag current, boolean strong) {
    if (current == null) {
      return false;
    }
    List<EntityTag> tags = EntityTag.parseList(list);
    for (EntityTag t : tags) {
      if (strong ? t.strongMatch(current) : t.weakMatch(current)) {
        return true;
      }
    }
    return false;
  }

  private static Instant singleDate(HttpFields f, String name, Instant now) {
    List<String> lines = f.all(name);
    if (lines.size() != 1) {
      return null;
    }
    return HttpDates.parse(lines.get(0), now).orElse(null);
  }
}

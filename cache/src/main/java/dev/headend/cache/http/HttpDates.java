package dev.headend.cache.http;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP-date parsing and formatting (RFC 9110 §5.6.7).
 *
 * <p>Accepts the three formats a recipient must: IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37
 * GMT}), the obsolete RFC 850 form ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and asctime ({@code Sun
 * Nov 6 08:49:37 1994}). Day and month names are matched without regard to case; anything else that
 * deviates (a missing comma, a one-digit hour, a two-digit year in IMF-fixdate, {@code UTC} instead
 * of {@code GMT}) is invalid, which for {@code Expires} means "already expired".
 */
public final class HttpDates {
  private static final String[] MONTHS = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
  };
  private static final String[] DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  private static final String[] LONG_DAYS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
  };
  private static final DateTimeFormatter IMF =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private HttpDates() {}

  /** Formats an instant as IMF-fixdate, truncated to the second. */
  public static String format(Instant instant) {
    return IMF.format(instant);
  }

  /**
   * Parses an HTTP-date.
   *
   * @param value the field value
   * @param now the reference for RFC 850 two-digit years: a year that would be more than 50 years
   *     after {@code now} is taken as the most recent past year with those digits
   * @return the instant, or empty if the value is not a valid HTTP-date
   */
  public static Optional<Instant> parse(CharSequence value, Instant now) {
    long s = parseEpochSeconds(value, now);
    return s == INVALID ? Optional.empty() : Optional.of(Instant.ofEpochSecond(s));
  }

  static final long INVALID = Long.MIN_VALUE;

  /**
   * Epoch seconds of an HTTP-date, or {@link #INVALID}. Allocation-free on the IMF-fixdate path.
   */
  static long parseEpochSeconds(CharSequence v, Instant now) {
    if (v == null) {
      return INVALID;
    }
    int n = v.length();
    if (n == 29 && v.charAt(3) == ',') {
      // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
      if (name(v, 0, 3, DAYS) < 0
          || v.charAt(4) != ' '
          || v.charAt(7) != ' '
          || v.charAt(11) != ' '
          || v.charAt(16) != ' '
          || v.charAt(25) != ' '
          || !regionIs(v, 26, "GMT")) {
        return INVALID;
      }
      return epoch(digits(v, 12, 4), name(v, 8, 3, MONTHS) + 1, digits(v, 5, 2), time(v, 17));
    }
    if (n == 24 && v.charAt(3) == ' ') {
      // asctime: "Sun Nov  6 08:49:37 1994"
      if (name(v, 0, 3, DAYS) < 0
          || v.charAt(7) != ' '
          || v.charAt(10) != ' '
          || v.charAt(19) != ' ') {
        return INVALID;
      }
      int day = v.charAt(8) == ' ' ? digits(v, 9, 1) : digits(v, 8, 2);
      return epoch(digits(v, 20, 4), name(v, 4, 3, MONTHS) + 1, day, time(v, 11));
    }
    int comma = indexOf(v, ',');
    if (comma >= 6 && comma <= 9 && n == comma + 24) {
      // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
      int c = comma;
      if (name(v, 0, c, LONG_DAYS) < 0
          || v.charAt(c + 1) != ' '
          || v.charAt(c + 4) != '-'
          || v.charAt(c + 8) != '-'
          || v.charAt(c + 11) != ' '
          || v.charAt(c + 20) != ' '
          || !regionIs(v, c + 21, "GMT")) {
        return INVALID;
      }
      int yy = digits(v, c + 9, 2);
      if (yy < 0) {
        return INVALID;
      }
      int nowYear = LocalDateTime.ofEpochSecond(now.getEpochSecond(), 0, ZoneOffset.UTC).getYear();
      int year = nowYear - Math.floorMod(nowYear, 100) + yy;
      if (year > nowYear + 50) {
        year -= 100;
      }
      return epoch(year, name(v, c + 5, 3, MONTHS) + 1, digits(v, c + 2, 2), time(v, c + 12));
    }
    return INVALID;
  }

  private static int indexOf(CharSequence v, char c) {
    for (int i = 0; i < v.length() && i < 12; i++) {
      if (v.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean regionIs(CharSequence v, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      if (v.charAt(at + i) != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int name(CharSequence v, int at, int len, String[] names) {
    outer:
    for (int k = 0; k < names.length; k++) {
      String name = names[k];
      if (name.length() != len) {
        continue;
      }
      for (int i = 0; i < len; i++) {
        char c = v.charAt(at + i);
        if (c >= 'A' && c <= 'Z') {
          c = (char) (c + 32);
        }
        if (c != name.charAt(i)) {
          continue outer;
        }
      }
      return k;
    }
    return -1;
  }

  private static int digits(CharSequence v, int at, int count) {
    int r = 0;
    for (int i = at; i < at + count; i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      r = r * 10 + (c - '0');
    }
    return r;
  }

  /** Seconds of the day from "HH:MM:SS" at {@code at}, or -1. */
  private static int time(CharSequence v, int at) {
    if (v.charAt(at + 2) != ':' || v.charAt(at + 5) != ':') {
      return -1;
    }
    int h = digits(v, at, 2);
    int m = digits(v, at + 3, 2);
    int s = digits(v, at + 6, 2);
    if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60) {
      return -1;
    }
    return h * 3600 + m * 60 + Math.min(s, 59);
  }

  private static final int[] DAYS_IN_MONTH = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  private static long epoch(int year, int month, int day, int secondOfDay) {
    if (year < 1
        || year > 9999
        || month < 1
        || day < 1
        || secondOfDay < 0
        || day > DAYS_IN_MONTH[month - 1]) {
      return INVALID;
    }
    boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    if (month == 2 && day == 29 && !leap) {
      return INVALID;
    }
    return LocalDate.of(year, month, day).toEpochDay() * 86400L + secondOfDay;
  }
}

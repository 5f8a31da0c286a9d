package dev.headend.mail.smtp.client;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the sender asks of delivery status notifications (RFC 3461): sent as {@code RET} and {@code
 * ENVID} on MAIL and {@code NOTIFY} and {@code ORCPT} on every RCPT when the server offers DSN,
 * left out when it does not. A {@link dev.headend.mail.delivery.Bounce} honours it too: no failure
 * report unless {@code notifyOn} asks for one, the whole message only with {@link Return#FULL}, and
 * the envelope id and original recipients copied into the report.
 *
 * <pre>{@code
 * OutgoingMessage m = new OutgoingMessage("alice@a.test", List.of("bob@b.test"), content)
 *     .withDsn(new DsnRequest(DsnRequest.Return.HDRS, "q42", EnumSet.of(DsnRequest.Notify.FAILURE),
 *         Map.of("bob@b.test", "bob@b.test")));
 * }</pre>
 *
 * @param ret whether a failure report returns the whole message or only its header; {@code null}
 *     leaves it to the reporting system
 * @param envelopeId an identifier of this transmission that comes back in every report ({@code
 *     ENVID}): printable US-ASCII, at most 100 characters; {@code null} for none
 * @param notifyOn when to report, for every recipient; {@code null} leaves it to the servers
 *     (usually failures and delays); {@link Notify#NEVER} only alone
 * @param originalRecipients for some recipients, the address the sender first gave ({@code ORCPT},
 *     type {@code rfc822}): printable US-ASCII; the whole parameter at most 500 characters
 */
public record DsnRequest(
    Return ret, String envelopeId, Set<Notify> notifyOn, Map<String, String> originalRecipients) {

  /** The {@code RET} parameter (RFC 3461 §4.3). */
  public enum Return {
    /** The whole message. */
    FULL,
    /** Only the message's header. */
    HDRS
  }

  /** A {@code NOTIFY} condition (RFC 3461 §4.1). */
  public enum Notify {
    /** Report delivery. */
    SUCCESS,
    /** Report failure. */
    FAILURE,
    /** Report a delay. */
    DELAY,
    /** Never report, not even failure. */
    NEVER
  }

  private static final int MAX_ENVID = 100;
  private static final int MAX_ORCPT = 500;

  /** Checks the limits of RFC 3461 and copies the collections. */
  public DsnRequest {
    if (envelopeId != null) {
      checkPrintable("envelope id", envelopeId);
      if (envelopeId.isEmpty() || xtext(envelopeId).length() > MAX_ENVID) {
        throw new IllegalArgumentException(
            "envelope id must be 1 to " + MAX_ENVID + " characters as xtext: " + envelopeId);
      }
    }
    if (notifyOn != null) {
      if (notifyOn.isEmpty()) {
        throw new IllegalArgumentException("notify needs a condition (or NEVER)");
      }
      if (notifyOn.contains(Notify.NEVER) && notifyOn.size() > 1) {
        throw new IllegalArgumentException("NEVER cannot be combined: " + notifyOn);
      }
      notifyOn = Collections.unmodifiableSet(EnumSet.copyOf(notifyOn));
    }
    Map<String, String> copy = new LinkedHashMap<>();
    if (originalRecipients != null) {
      for (Map.Entry<String, String> e : originalRecipients.entrySet()) {
        String original = Objects.requireNonNull(e.getValue(), "original recipient");
        checkPrintable("original recipient", original);
        if (original.isEmpty() || orcpt(original).length() > MAX_ORCPT) {
          throw new IllegalArgumentException(
              "ORCPT must be 1 to " + MAX_ORCPT + " characters: " + original);
        }
        copy.put(Objects.requireNonNull(e.getKey(), "recipient"), original);
      }
    }
    originalRecipients = Map.copyOf(copy);
  }

  /** Whether a failure of a recipient is to be reported. */
  public boolean reportsFailure() {
    return notifyOn == null || notifyOn.contains(Notify.FAILURE);
  }

  /** The MAIL parameters, each after a space, or the empty string. */
  String mailParameters() {
    StringBuilder sb = new StringBuilder();
    if (ret != null) {
      sb.append(" RET=").append(ret.name());
    }
    if (envelopeId != null) {
      sb.append(" ENVID=").append(xtext(envelopeId));
    }
    return sb.toString();
  }

  /** The RCPT parameters for {@code recipient}, each after a space, or the empty string. */
  String rcptParameters(String recipient) {
    StringBuilder sb = new StringBuilder();
    if (notifyOn != null) {
      sb.append(" NOTIFY=");
      String sep = "";
      for (Notify n : Notify.values()) {
        if (notifyOn.contains(n)) {
          sb.append(sep).append(n.name());
          sep = ",";
        }
      }
    }
    String original = originalRecipients.get(recipient);
    if (original != null) {
      sb.append(" ORCPT=").append(orcpt(original));
    }
    return sb.toString();
  }

  private static String orcpt(String original) {
    return "rfc822;" + xtext(original);
  }

  /**
   * RFC 3461 §4 xtext: {@code !} to {@code ~} stand for themselves except {@code +} and {@code =},
   * every other octet is {@code +} and two uppercase hex digits.
   */
  static String xtext(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '!' && c <= '~' && c != '+' && c != '=') {
        sb.append(c);
      } else {
        sb.append('+').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        sb.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  private static void checkPrintable(String what, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException(
            what + " must be printable US-ASCII: character " + (int) c + " at " + i);
      }
    }
  }
}

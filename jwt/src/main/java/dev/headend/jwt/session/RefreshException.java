package dev.headend.jwt.session;

import java.util.Objects;

/** A refresh token was refused; {@link #outcome()} says why (never {@code ROTATED}). */
public final class RefreshException extends Exception {
  private static final long serialVersionUID = 1L;
  private final Rotation.Outcome outcome;

  /** A refusal with {@code outcome}. */
  public RefreshException(Rotation.Outcome outcome, String detail) {
    super(outcome + ": " + detail);
    this.outcome = Objects.requireNonNull(outcome);
  }

  /** Why: {@code UNKNOWN}, {@code EXPIRED}, {@code REUSED} or {@code REVOKED}. */
  public Rotation.Outcome outcome() {
    return outcome;
  }
}

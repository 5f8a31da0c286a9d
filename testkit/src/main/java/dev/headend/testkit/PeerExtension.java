package dev.headend.testkit;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Enforces {@link RequiresPeer} and {@link RequiresRoot} before a test class or method runs. The
 * JUnit configuration parameter {@code headend.ci} overrides the {@code CI} environment variable
 * (used by this module's own tests). Registered by the annotations; not meant to be used directly.
 */
public final class PeerExtension implements BeforeAllCallback, BeforeEachCallback {

  /** Made by JUnit. */
  public PeerExtension() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    check(context, context.getRequiredTestClass());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    check(context, context.getRequiredTestMethod());
  }

  private static void check(ExtensionContext context, AnnotatedElement element) {
    boolean ci =
        context
            .getConfigurationParameter(Peers.CI_PARAMETER)
            .map(Boolean::parseBoolean)
            .orElseGet(Peers::inCi);
    List<RequiresPeer> peers =
        new ArrayList<>(AnnotationSupport.findRepeatableAnnotations(element, RequiresPeer.class));
    for (RequiresPeer p : peers) {
      Peers.require(p.value(), p.install(), ci);
    }
    Optional<RequiresRoot> root = AnnotationSupport.findAnnotation(element, RequiresRoot.class);
    root.ifPresent(r -> Peers.requireRoot(r.value(), ci));
  }
}

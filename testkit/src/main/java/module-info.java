/** Test support shared by every headend module. Use it with test scope only. */
module dev.headend.testkit {
  requires transitive org.junit.jupiter.api;
  requires org.opentest4j;

  exports dev.headend.testkit;
}

package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The slot a later step's findings go into. */
class FindingsTest {
  @Test
  void aLaterStepsFindingsGoWhereItsSlotWasReservedEvenAfterEarlierOnesAreWithdrawn() {
    Findings findings = new Findings();
    findings.warning("/a", "first");
    findings.warning("/b", "withdrawn");
    Findings.Slot slot = findings.reserve();
    findings.warning("/c", "after the slot");
    findings.removeIf(d -> d.message().equals("withdrawn"));
    Findings later = new Findings();
    later.error("/x", "later one");
    later.warning("/y", "later two");

    findings.fill(slot, later);

    assertThat(findings.report().diagnostics())
        .extracting(Diagnostic::message)
        .containsExactly("first", "later one", "later two", "after the slot");
  }

  @Test
  void withdrawingFindingsAfterTheSlotLeavesItInPlace() {
    Findings findings = new Findings();
    findings.warning("/a", "first");
    Findings.Slot slot = findings.reserve();
    findings.warning("/b", "withdrawn");
    findings.warning("/c", "kept");
    findings.removeIf(d -> d.message().equals("withdrawn"));
    Findings later = new Findings();
    later.warning("/x", "later");

    findings.fill(slot, later);

    assertThat(findings.report().diagnostics())
        .extracting(Diagnostic::message)
        .containsExactly("first", "later", "kept");
  }
}

package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PortsTest {
  @Test
  void freePortsOfOneProcessAreNeverTheSameTwice() {
    // The system hands a closed socket's port out again: two servers started side by side were
    // once told the same one.
    assertThat(IntStream.range(0, 1000).map(i -> Ports.free()).boxed().toList())
        .doesNotHaveDuplicates()
        .allSatisfy(port -> assertThat(port).isPositive());
  }
}

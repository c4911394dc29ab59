package dev.extsvc.runtime.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidV7Test {
  @Test
  void anIdIsVersion7WithItsMillisecondFirstAndRandomBitsAfter() {
    Instant at = Instant.parse("2026-12-07T03:30:00.123456Z");
    Set<UUID> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      UUID id = UuidV7.at(at);
      assertThat(id.version()).isEqualTo(7);
      assertThat(id.variant()).isEqualTo(2);
      assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(at.toEpochMilli());
      ids.add(id);
    }
    assertThat(ids).hasSize(1000);
  }

  @Test
  void idsSortByTheirMillisecond() {
    UUID earlier = UuidV7.at(Instant.ofEpochMilli(1_000_000));
    UUID later = UuidV7.at(Instant.ofEpochMilli(1_000_001));

    assertThat(earlier.toString()).isLessThan(later.toString());
  }
}

package io.moaiflow.swarmdb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProbeTest {
  @Test
  void one() {
    assertThat(Probe.one()).isEqualTo(1);
  }
}

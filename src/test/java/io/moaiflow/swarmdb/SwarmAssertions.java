package io.moaiflow.swarmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on {@link SwarmDbException}s. */
public final class SwarmAssertions {
  private SwarmAssertions() {}

  /** Runs {@code call}, asserts it throws a SwarmDbException with {@code code}, returns it. */
  public static SwarmDbException assertFails(ErrorCode code, ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).as("expected SwarmDbException %s", code).isInstanceOf(SwarmDbException.class);
    SwarmDbException e = (SwarmDbException) t;
    assertThat(e.code()).as("error code of: %s", e.getMessage()).isEqualTo(code);
    return e;
  }

  /** Asserts INVALID_ARGUMENT and that the message contains every fragment. */
  public static SwarmDbException assertInvalid(ThrowingCallable call, String... fragments) {
    SwarmDbException e = assertFails(ErrorCode.INVALID_ARGUMENT, call);
    assertThat(e.getMessage()).contains(fragments);
    return e;
  }
}

package dev.secdrive.center.distributor;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

  final DistributorContract.TestClock clock = new DistributorContract.TestClock();
  final LoginThrottle throttle = new LoginThrottle(clock, 3, Duration.ofSeconds(60));

  @Test
  void theThirdFailureInTheWindowRefusesUntilTheWindowPasses() {
    throttle.failed("user:a", "address:x");
    clock.now = clock.now.plusMillis(10_500);
    throttle.failed("user:a", "address:x");
    assertDoesNotThrow(() -> throttle.check("user:a", "address:x"));
    throttle.failed("user:a", "address:x");
    var refused =
        assertThrows(LoginThrottle.ThrottledException.class, () -> throttle.check("user:a", null));
    // The window started at the first failure: 49.5 s are left, rounded up.
    assertEquals(Duration.ofSeconds(50), refused.retryAfter());
    assertThrows(LoginThrottle.ThrottledException.class, () -> throttle.check(null, "address:x"));
    assertDoesNotThrow(() -> throttle.check("user:b", "address:y"));
    clock.now = clock.now.plusMillis(49_499);
    assertEquals(
        Duration.ofSeconds(1),
        assertThrows(LoginThrottle.ThrottledException.class, () -> throttle.check("user:a"))
            .retryAfter());
    clock.now = clock.now.plusMillis(1);
    assertDoesNotThrow(() -> throttle.check("user:a", "address:x"));
    // A new window starts with the next failure.
    throttle.failed("user:a");
    throttle.failed("user:a");
    assertDoesNotThrow(() -> throttle.check("user:a"));
  }

  @Test
  void aSuccessResetsTheUserButNotTheAddress() {
    throttle.failed("user:a", "address:x");
    throttle.failed("user:a", "address:x");
    throttle.succeeded("user:a");
    throttle.failed("user:a", "address:x");
    assertDoesNotThrow(() -> throttle.check("user:a"));
    assertThrows(LoginThrottle.ThrottledException.class, () -> throttle.check("address:x"));
  }

  @Test
  void aThrottleNeedsAFailureCountAndAWindow() {
    assertThrows(IllegalArgumentException.class, () -> new LoginThrottle(clock, 0, Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class, () -> new LoginThrottle(clock, 1, Duration.ofSeconds(-1)));
  }
}

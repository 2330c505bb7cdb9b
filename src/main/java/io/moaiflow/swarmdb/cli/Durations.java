package io.moaiflow.swarmdb.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses durations such as {@code 30d}, {@code 1h}, {@code 15m} and {@code 45s} strictly: a
 * positive whole number followed by exactly one unit. This class is stateless and thread safe.
 */
final class Durations {
  private static final Pattern FORMAT = Pattern.compile("([0-9]{1,9})([dhms])");

  static Duration parse(String value) {
    Matcher m = FORMAT.matcher(value.trim());
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException(
          "'"
              + value
              + "' is not a duration; use a whole number and one unit: 30d, 1h, 15m or 45s");
    }
    long n = Long.parseLong(m.group(1));
    if (n == 0) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is zero; use a positive duration such as 30d, 1h, 15m or 45s");
    }
    return switch (m.group(2)) {
      case "d" -> Duration.ofDays(n);
      case "h" -> Duration.ofHours(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofSeconds(n);
    };
  }

  static String format(Duration d) {
    long s = d.toSeconds();
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  /**
   * An elapsed time for people, to two units: {@code 850ms}, {@code 12.3s}, {@code 4m05s}, {@code
   * 2h07m}, {@code 3d04h}.
   */
  static String elapsed(long millis) {
    long ms = Math.max(0, millis);
    if (ms < 1_000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1_000.0);
    }
    long s = ms / 1_000;
    if (s < 3_600) {
      return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3_600, s % 3_600 / 60);
    }
    return String.format(java.util.Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3_600);
  }
}

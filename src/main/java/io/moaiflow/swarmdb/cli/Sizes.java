package io.moaiflow.swarmdb.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses sizes such as {@code 1048576}, {@code 512KiB}, {@code 64MiB} and {@code 2GiB} strictly: a
 * positive whole number of bytes, with at most one binary unit. This class is stateless and thread
 * safe.
 */
final class Sizes implements CommandLine.ITypeConverter<Long> {
  private static final Pattern FORMAT = Pattern.compile("([0-9]{1,19})(KiB|MiB|GiB|TiB)?");

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  static long parse(String value) {
    Matcher m = FORMAT.matcher(value.trim());
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException(
          "'"
              + value
              + "' is not a size; use a whole number of bytes, or one with a unit: 512KiB, 64MiB,"
              + " 2GiB or 1TiB");
    }
    String unit = m.group(2);
    int shift =
        unit == null
            ? 0
            : switch (unit) {
              case "KiB" -> 10;
              case "MiB" -> 20;
              case "GiB" -> 30;
              default -> 40;
            };
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 0 || n > Long.MAX_VALUE >> shift) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is more than " + Long.MAX_VALUE + " bytes; use a smaller size");
    }
    if (n == 0) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is zero; use a positive size such as 64MiB");
    }
    return n << shift;
  }

  /** A size for people: bytes, with the largest binary unit that divides it. */
  static String format(long bytes) {
    String[] units = {"TiB", "GiB", "MiB", "KiB"};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << (40 - 10 * i);
      if (bytes >= unit && bytes % unit == 0) {
        return String.format(Locale.ROOT, "%d%s", bytes / unit, units[i]);
      }
    }
    return bytes + " bytes";
  }
}
